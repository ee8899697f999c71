package io.github.frozenimages.images.core.shared;

import java.util.Objects;
import java.util.Optional;

/**
 * The one failure type of the core. Its message always names the image and, where known, the registry
 * and the digest, so that a build log line is enough to act on; the same facts are fields, so that a caller
 * (a report, the Maven layer, a test) need not parse the message.
 */
public class ImagePullException extends RuntimeException {

    /** What went wrong, so callers can react without parsing messages. */
    public enum Reason {
        NOT_FOUND("check the name and tag, and whether the repository needs credentials"),
        DENIED("check the credentials configured for this registry"),
        UNREACHABLE("check the registry address and the network or proxy settings; for a TLS error, trust the registry's CA"
                + " with images.trustStore or a certs.d/<host:port>/ca.crt"),
        NO_MATCHING_PLATFORM("choose one of the listed platforms with <platform> or -Dimages.platform"),
        UNSUPPORTED_MEDIA_TYPE("the image uses a format this plugin does not read"),
        DIGEST_MISMATCH("the registry or a proxy served other bytes than the image names; retry, and report it if it persists"),
        PROTOCOL("the registry answered in a way the registry protocol does not allow"),
        IO("check free disk space and permissions of the cache and output folders"),
        NOT_IN_CACHE("run the build once online (without -o), e.g. mvn images:pull, to fill the cache"),
        UNTRUSTED("sign the image as <verify> asks (cosign sign --key with its <publicKey>'s key, or keyless as its <keyless> identity),"
                + " or name the key or identity that signed it"),
        RATE_LIMITED("log in for a higher limit (credentials for the registry in a settings.xml <server> or ~/.docker/config.json),"
                + " pull through a mirror (<mirrors>), or wait until the registry's window has passed");

        private final String advice;

        Reason(String advice) {
            this.advice = advice;
        }

        public String advice() {
            return advice;
        }
    }

    private final Reason reason;
    private final String image;
    private final String registry;
    private final String digest;

    /** A failure that concerns no single image (the output folder, an interrupted pull). */
    public ImagePullException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ImagePullException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null, null, null);
    }

    private ImagePullException(Reason reason, String message, Throwable cause, String image, String registry, String digest) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
        this.image = image;
        this.registry = registry;
        this.digest = digest;
    }

    /**
     * The common shape: {@code could not <action> <image> (<digest>) from <registry>: <detail>}, with image,
     * registry and digest kept as fields.
     *
     * @param digest   the digest concerned, or null
     * @param registry the registry (or mirror) concerned, or null when none was asked
     */
    public static ImagePullException of(Reason reason, String action, String image, String digest, String registry,
                                        String detail, Throwable cause) {
        return new ImagePullException(reason, describe(action, image, digest, registry, detail), cause, image, registry, digest);
    }

    /** The same shape for what was sent: {@code could not <action> <image> (<digest>) to <registry>: <detail>}. */
    public static ImagePullException sending(Reason reason, String action, String image, String digest, String registry,
                                             String detail, Throwable cause) {
        return new ImagePullException(reason, describe(action, image, digest, "to", registry, detail), cause, image, registry, digest);
    }

    public Reason reason() {
        return reason;
    }

    /** The image as the user named it, when the failure concerns one. */
    public Optional<String> image() {
        return Optional.ofNullable(image);
    }

    /** The registry or mirror that was asked, when one was. */
    public Optional<String> registry() {
        return Optional.ofNullable(registry);
    }

    /** The digest of the manifest, config or layer concerned, when known. */
    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    /**
     * Builds the common message shape: {@code could not <action> <image> (<digest>) from <registry>: <detail>}.
     */
    public static String describe(String action, String image, String digest, String registry, String detail) {
        return describe(action, image, digest, "from", registry, detail);
    }

    private static String describe(String action, String image, String digest, String preposition, String registry, String detail) {
        StringBuilder sb = new StringBuilder("could not ").append(action).append(' ').append(image);
        if (digest != null) {
            sb.append(" (").append(digest).append(')');
        }
        if (registry != null) {
            sb.append(' ').append(preposition).append(' ').append(registry);
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** The message followed by what the user can do about it. */
    public String messageWithAdvice() {
        return getMessage() + " (" + reason.advice() + ")";
    }
}
