package io.alstream.kafka.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed TLS identity for {@code localhost} made with the JDK's own {@code keytool}: a PKCS12
 * key store (the server's key and certificate) and a PKCS12 trust store holding that certificate, for
 * a client that should trust this server and no other. For tests and local runs only.
 *
 * @param keyStore   the server's key store
 * @param trustStore the clients' trust store
 * @param password   the password of both stores and of the key
 */
public record SelfSignedTls(Path keyStore, Path trustStore, String password) {

    /** Creates the two stores in {@code dir} (valid for two days, RSA 2048, SAN localhost and 127.0.0.1). */
    public static SelfSignedTls create(Path dir, String password) throws IOException {
        Files.createDirectories(dir);
        Path ks = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path ts = dir.resolve("trust.p12");
        for (Path p : List.of(ks, cert, ts)) {
            Files.deleteIfExists(p);
        }
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-alias", "server", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-keystore", ts.toString(),
                "-storetype", "PKCS12", "-storepass", password);
        return new SelfSignedTls(ks, ts, password);
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
