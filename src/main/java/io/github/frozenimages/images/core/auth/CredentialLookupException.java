package io.github.frozenimages.images.core.auth;

import io.github.frozenimages.images.core.shared.ImagePullException;

/**
 * A credential source is configured for a registry but cannot be used: a malformed config.json, a
 * credential helper that fails or hangs, a settings.xml password that does not decrypt. Docker fails the
 * pull in these cases too; going on anonymously would only turn this clear error into a puzzling 401.
 * The message names the registry and the file or helper, never the secret nor the text around it.
 */
public class CredentialLookupException extends ImagePullException {

    public CredentialLookupException(String message) {
        super(Reason.DENIED, message);
    }

    public CredentialLookupException(String message, Throwable cause) {
        super(Reason.DENIED, message, cause);
    }
}
