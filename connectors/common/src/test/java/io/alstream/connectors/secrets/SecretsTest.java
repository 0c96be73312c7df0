package io.alstream.connectors.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    private static final Map<String, String> ENV = Map.of("KAFKA_PASSWORD", "s3cr3t-from-env", "EMPTY", "");

    @Test
    void referencesToTheEnvironmentAndToFilesAreReplacedWhereverTheyStand(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("secret");
        Files.writeString(file, "from-a-file\n");
        assertEquals("s3cr3t-from-env", Secrets.resolve("k", "${env:KAFKA_PASSWORD}", ENV::get));
        assertEquals("from-a-file", Secrets.resolve("k", "${file:" + file + "}", ENV::get), "one trailing newline dropped");
        assertEquals("ScramLoginModule required username=\"job\" password=\"s3cr3t-from-env\";",
                Secrets.resolve("k", "ScramLoginModule required username=\"job\" password=\"${env:KAFKA_PASSWORD}\";", ENV::get));
        assertEquals("", Secrets.resolve("k", "${env:EMPTY}", ENV::get));
        assertEquals("plain $ value {x}", Secrets.resolve("k", "plain $ value {x}", ENV::get));
        assertEquals("a$b\\c", Secrets.resolve("k", "${file:" + write(tmp, "a$b\\c") + "}", ENV::get),
                "replacement characters are taken literally");
    }

    private static Path write(Path dir, String content) throws Exception {
        Path p = Files.createTempFile(dir, "s", "");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void aMissingVariableOrFileIsAnErrorThatNamesTheReferenceNotAValue(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Secrets.resolve("kafka.client.sasl.jaas.config", "${env:NOT_SET_ANYWHERE}", ENV::get));
        assertEquals("kafka.client.sasl.jaas.config refers to the environment variable NOT_SET_ANYWHERE, which is not set",
                e.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> Secrets.resolve("registry.basic-auth", "${file:" + tmp.resolve("none") + "}", ENV::get));
        assertTrue(f.getMessage().startsWith("registry.basic-auth refers to the file "), f.getMessage());
    }

    @Test
    void secretSettingsAreMaskedAndInlinePasswordsToo() {
        Map<String, String> shown = Secrets.redacted(Map.of(
                "registry.basic-auth", "job:pw-123",
                "kafka.client.sasl.jaas.config", "x required username=\"u\" password=\"pw-456\";",
                "kafka.client.ssl.truststore.password", "pw-789",
                "registry.url", "https://user:pw-000@registry:8081",
                "kafka.bootstrap-servers", "broker:9093",
                "token-secret", "pw-abc"));
        for (String v : shown.values()) {
            assertFalse(v.contains("pw-"), "a secret leaked: " + shown);
        }
        assertEquals("broker:9093", shown.get("kafka.bootstrap-servers"));
        assertEquals("https://user:" + Secrets.MASK + "@registry:8081", shown.get("registry.url"));
        assertEquals(Secrets.MASK, shown.get("registry.basic-auth"));
        assertTrue(Secrets.isSecretKey("kafka.client.sasl.jaas.config"));
        assertFalse(Secrets.isSecretKey("kafka.transaction-timeout-ms"));
        assertFalse(Secrets.isSecretKey("learner.posterior-samples"));
    }
}
