package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.File;
import org.junit.jupiter.api.Test;

/** The goal-wide {@code <verify>}: the POM's, with the command line's keyless settings where the POM has none. */
class VerifySpecTest {

    private static final String ISSUER = "https://token.actions.test";

    @Test
    void noPolicyWithoutAVerifyOrWithAnEmptyOne() {
        assertNull(VerifySpec.goalWide(null, null, null, null, null));
        assertNull(VerifySpec.goalWide(new VerifySpec(), null, null, null, null));
    }

    @Test
    void thePomsVerifyStandsAsItIsWhenTheCommandLineSaysNothing() {
        VerifySpec pom = new VerifySpec();
        pom.setPublicKey(new File("cosign.pub"));
        assertSame(pom, VerifySpec.goalWide(pom, null, null, null, null));
    }

    @Test
    void theCommandLineMakesAKeylessPolicyOrFillsInWhatThePomLeftOut() {
        VerifySpec fromCommandLine = VerifySpec.goalWide(null, ISSUER, null, "release-.*", new File("trusted_root.json"));
        assertEquals(ISSUER, fromCommandLine.getKeyless().getIssuer());
        assertNull(fromCommandLine.getKeyless().getIdentity());
        assertEquals("release-.*", fromCommandLine.getKeyless().getIdentityPattern());
        assertEquals(new File("trusted_root.json"), fromCommandLine.getTrustedRoot());

        // the POM names the signer; the command line only adds the trusted root it lacks
        KeylessSpec pomSigner = new KeylessSpec();
        pomSigner.setIssuer(ISSUER);
        pomSigner.setIdentity("release@acme.test");
        VerifySpec pom = new VerifySpec();
        pom.setKeyless(pomSigner);
        VerifySpec merged = VerifySpec.goalWide(pom, "https://other.test", "someone@other.test", null, new File("root.json"));
        assertSame(pomSigner, merged.getKeyless());
        assertEquals(new File("root.json"), merged.getTrustedRoot());
    }
}
