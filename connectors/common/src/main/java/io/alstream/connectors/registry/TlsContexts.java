package io.alstream.connectors.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds an {@link SSLContext} from key store files: a trust store (which servers to trust; the JDK's
 * default CAs when absent) and an optional key store (the client's own certificate, for mutual TLS).
 * Used by the client and, for its HTTPS listener, by the registry server.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** A key store file: its path, password and type ({@code PKCS12} or {@code JKS}). */
    public record StoreFile(Path path, String password, String type) {
        public StoreFile {
            if (path == null) {
                throw new IllegalArgumentException("key store path missing");
            }
            type = type == null || type.isBlank() ? "PKCS12" : type;
        }

        KeyStore load() {
            try (InputStream in = Files.newInputStream(path)) {
                KeyStore ks = KeyStore.getInstance(type);
                ks.load(in, password == null ? null : password.toCharArray());
                return ks;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load " + type + " key store " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * @param trustStore servers to trust; null: the JDK's default trust store
     * @param keyStore   this side's certificate and key; null: none
     * @param keyPassword password of the private key; null: the key store's password
     */
    public static SSLContext create(StoreFile trustStore, StoreFile keyStore, String keyPassword) {
        try {
            TrustManagerFactory tmf = null;
            if (trustStore != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore.load());
            }
            KeyManagerFactory kmf = null;
            if (keyStore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String pw = keyPassword != null ? keyPassword : keyStore.password();
                kmf.init(keyStore.load(), pw == null ? null : pw.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
