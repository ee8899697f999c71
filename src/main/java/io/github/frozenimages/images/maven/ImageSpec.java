package io.github.frozenimages.images.maven;

/**
 * One {@code <image>} of the POM: either a plain reference ({@code <image>alpine:3.20</image>}) or
 * {@code <image><name>REF</name><platform>os/arch[/variant]</platform></image>}.
 */
public class ImageSpec {

    /** The image reference, e.g. {@code ghcr.io/org/app:1.2} or {@code alpine@sha256:...}. */
    private String name;

    /** The platform for this image only; overrides the goal's {@code platform}. */
    private String platform;

    /** Where {@code images:push} and {@code images:copy} put this image, instead of the goal's target and its own path. */
    private String pushAs;

    /** The {@code settings.xml} {@code <server>} whose credentials this image's registry takes, when its id is not the registry's host. */
    private String serverId;

    public ImageSpec() {
    }

    public ImageSpec(String name) {
        this.name = name;
    }

    /** Called by Maven for the plain-text form of {@code <image>}. */
    public void set(String value) {
        this.name = value;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getPlatform() {
        return platform;
    }

    public void setPlatform(String platform) {
        this.platform = platform;
    }

    public String getPushAs() {
        return pushAs;
    }

    public void setPushAs(String pushAs) {
        this.pushAs = pushAs;
    }

    public String getServerId() {
        return serverId;
    }

    public void setServerId(String serverId) {
        this.serverId = serverId;
    }

    @Override
    public String toString() {
        return platform == null ? String.valueOf(name) : name + " (" + platform + ")";
    }
}
