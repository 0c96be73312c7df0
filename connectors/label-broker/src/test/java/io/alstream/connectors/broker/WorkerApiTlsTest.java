package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.corpus.RawHttp;
import io.alstream.connectors.registry.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker API over HTTPS (a key store made by the JDK's keytool): served to a client that trusts it, to no one else. */
class WorkerApiTlsTest {
    private static final String PW = "changeit";

    @Test
    void theWorkerApiServesHttpsToClientsThatTrustItsCertificate(@TempDir Path dir) throws Exception {
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", dir.resolve("broker.p12").toString(), "-storetype", "PKCS12", "-storepass", PW, "-keypass", PW);
        keytool("-exportcert", "-alias", "broker", "-keystore", dir.resolve("broker.p12").toString(), "-storepass", PW,
                "-file", dir.resolve("broker.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.crt").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PW);
        // the command line's way: LabelBrokerOptions.tls(key store) -> the server's context
        SSLContext serverTls = new LabelBrokerOptions("unused:9092", "http://unused").tls(dir.resolve("broker.p12"), PW, "PKCS12")
                .tlsContext();
        SSLContext clientTls = TlsContexts.create(new TlsContexts.StoreFile(dir.resolve("trust.p12"), PW, "PKCS12"), null, null);

        BrokerConfig config = BrokerTestKafka.freshConfig("tls").build();
        try (LabelBroker broker = LabelBroker.builder().bootstrapServers(BrokerTestKafka.bootstrap()).serdes(BrokerTestKafka.serdes())
                .config(config).tokens(WorkerTokens.of(Map.of("w", "w-token"))).httpPort(0).tls(serverTls).start()) {
            URI api = broker.httpUri();
            assertEquals("https", api.getScheme(), api.toString());
            HttpClient trusting = HttpClient.newBuilder().sslContext(clientTls).connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(api.resolve("health")).timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            HttpResponse<String> stats = trusting.send(HttpRequest.newBuilder(api.resolve("v1/workers/w/stats"))
                    .header("Authorization", "Bearer w-token").timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode(), stats.body());

            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
            assertThrows(IOException.class, () -> untrusting.send(HttpRequest.newBuilder(api.resolve("health"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()), "a certificate nobody vouched for");
            // plain HTTP on the TLS port gets no HTTP answer (the token would otherwise cross the wire in clear)
            URI plain = URI.create("http://localhost:" + api.getPort() + "/");
            assertThrows(IOException.class, () -> {
                RawHttp.Response r = RawHttp.send(plain, "GET", "/v1/workers/w/stats", Map.of("Authorization", "Bearer w-token"), null,
                        Duration.ofSeconds(20));
                assertTrue(r.status() != 200, "served in clear: " + r.status());
            });
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
