package io.alstream.connectors.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.LabelAnswer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS between client and server, one-way and mutual, with key stores made by the JDK's keytool. */
class RegistryTlsTest {
    private static final String PW = "changeit";
    @TempDir
    static Path dir;

    @BeforeAll
    static void makeKeyStores() throws Exception {
        for (String who : List.of("server", "client")) {
            keytool("-genkeypair", "-alias", who, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", dir.resolve(who + ".p12").toString(), "-storetype", "PKCS12", "-storepass", PW, "-keypass", PW);
            keytool("-exportcert", "-alias", who, "-keystore", dir.resolve(who + ".p12").toString(), "-storepass", PW,
                    "-file", dir.resolve(who + ".crt").toString());
        }
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", dir.resolve("server.crt").toString(),
                "-keystore", dir.resolve("client-trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PW);
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", dir.resolve("client.crt").toString(),
                "-keystore", dir.resolve("server-trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PW);
    }

    @Test
    void clientTrustsTheServerThroughItsTrustStore() {
        try (RegistryServer s = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic())
                .tls(dir.resolve("server.p12"), PW, "PKCS12", PW).start()) {
            assertTrue(s.url().startsWith("https://"), s.url());
            SchemaRegistryClient trusting = SchemaRegistryClient.builder(s.url())
                    .trustStore(dir.resolve("client-trust.p12"), PW, "PKCS12").build();
            int id = trusting.register("answers-value", LabelAnswer.getClassSchema());
            assertEquals(LabelAnswer.getClassSchema(), trusting.schemaById(id));

            SchemaRegistryException untrusted = assertThrows(SchemaRegistryException.class,
                    () -> SchemaRegistryClient.builder(s.url()).build().subjects());
            assertFalse(untrusted instanceof RegistryUnavailableException, "a TLS failure is configuration, not retried");
            assertTrue(untrusted.getMessage().contains("TLS"), untrusted.getMessage());
        }
    }

    @Test
    void mutualTlsNeedsTheClientKeyStore() {
        try (RegistryServer s = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic())
                .tls(dir.resolve("server.p12"), PW, "PKCS12", PW)
                .tlsClientAuth(dir.resolve("server-trust.p12"), PW, "PKCS12").start()) {
            SchemaRegistryClient anonymous = SchemaRegistryClient.builder(s.url()).retry(RetryPolicy.NONE)
                    .trustStore(dir.resolve("client-trust.p12"), PW, "PKCS12").build();
            assertThrows(SchemaRegistryException.class, anonymous::subjects);

            SchemaRegistryClient identified = SchemaRegistryClient.builder(s.url())
                    .trustStore(dir.resolve("client-trust.p12"), PW, "PKCS12")
                    .keyStore(dir.resolve("client.p12"), PW, "PKCS12", PW).build();
            assertEquals(List.of(), identified.subjects());
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
