package io.github.frozenimages.images.maven;

import static io.github.frozenimages.images.maven.MavenExceptions.misconfigured;

import io.github.frozenimages.images.core.files.ArchiveUnpacker;
import io.github.frozenimages.images.core.shared.ImagePullException;
import io.github.frozenimages.images.core.trust.LayoutSignatures;
import io.github.frozenimages.images.core.trust.SignatureCheck;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Checks, with no network at all, that every image of an output folder or an archive carries a valid signature by
 * the key of {@code <verify>} ({@code -Dimages.verify.publicKey}), or by its keyless signer: the signature images and
 * Sigstore bundles a verified pull wrote beside the images ({@code includeSignatures}). For the other side of an air
 * gap: {@code mvn images:verify -Dimages.archive=bundle.tar.gz -Dimages.verify.publicKey=cosign.pub}, or keyless with
 * {@code -Dimages.verify.issuer=... -Dimages.verify.identity=... -Dimages.verify.trustedRoot=trusted_root.json}; no POM
 * needed. Keyless verification checks the transparency-log entry carried in each bundle, so it needs no network either.
 *
 * @since 0.1.0
 */
@Mojo(name = "verify", requiresProject = false, threadSafe = true)
public class VerifyMojo extends AbstractImagesMojo {

    /**
     * The output folder {@code pull} wrote (its {@code docker} or {@code oci} format).
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.outputDirectory", defaultValue = "${project.build.directory}/images")
    private File outputDirectory;

    /**
     * An archive to check instead of the folder: the {@code .tar} or {@code .tar.gz} {@code pull} wrote.
     *
     * @since 0.1.0
     */
    @Parameter(property = "images.archive")
    private File archive;

    @Inject
    public VerifyMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        SignatureCheck check = trustPolicy().goalWide().orElseThrow(() -> misconfigured(UserParameter.VERIFY,
                "images:verify needs the key or the keyless signer to check against: -Dimages.verify.publicKey=cosign.pub, or"
                        + " -Dimages.verify.issuer=... -Dimages.verify.identity=... -Dimages.verify.trustedRoot=trusted_root.json"));
        Path layout = outputDirectory.toPath();
        Path unpacked = null;
        try {
            if (archive != null) {
                if (!archive.isFile()) {
                    throw misconfigured(UserParameter.ARCHIVE, "there is no archive at " + archive);
                }
                unpacked = Files.createTempDirectory(archive.toPath().toAbsolutePath().getParent(), ".images-verify-");
                ArchiveUnpacker.unpack(archive.toPath(), unpacked);
                layout = unpacked;
            } else if (!Files.isDirectory(layout)) {
                throw misconfigured(UserParameter.OUTPUT_DIRECTORY, "there is no output at " + layout + " to verify");
            }
            int images = LayoutSignatures.of(layout).verifyAll(check, new MavenPullListener(getLog(), null));
            getLog().info("verified " + images + " image" + (images == 1 ? "" : "s") + " of " + (archive != null ? archive : layout)
                    + " against " + check.describe() + ", with no network");
        } catch (ImagePullException e) {
            throw MavenExceptions.failed(e);
        } catch (IOException e) {
            throw new MojoExecutionException("could not read " + (archive != null ? archive : layout) + ": " + e.getMessage(), e);
        } finally {
            if (unpacked != null) {
                try (Stream<Path> walk = Files.walk(unpacked)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    getLog().debug("could not remove " + unpacked + ": " + e.getMessage());
                }
            }
        }
    }
}
