package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.alstream.connectors.broker.http.WorkerHttpServer;
import org.junit.jupiter.api.Test;

/** The OpenAPI description names exactly the routes the server serves (that they answer is checked over HTTP). */
class OpenApiDescriptionTest {
    record Operation(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static JsonNode description() {
        try (InputStream in = OpenApiDescriptionTest.class.getResourceAsStream("/openapi/label-broker.yaml")) {
            assertNotNull(in, "openapi/label-broker.yaml is packaged");
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<Operation> operations() {
        List<Operation> ops = new java.util.ArrayList<>();
        JsonNode paths = description().get("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<String> m = p.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (Set.of("get", "post", "put", "delete", "patch", "head", "options").contains(method)) {
                    ops.add(new Operation(method.toUpperCase(java.util.Locale.ROOT), p.getKey()));
                }
            }
        }
        return ops;
    }

    @Test
    void theDescriptionNamesEveryRouteTheServerServesAndNoOther() {
        Set<String> described = operations().stream().map(Operation::toString).collect(Collectors.toCollection(TreeSet::new));
        Set<String> served = WorkerHttpServer.ROUTES.stream().map(r -> r.method() + " " + r.template())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(served, described);
    }

    @Test
    void itIsOpenApi3WithTheBearerSchemeAndTheErrorShape() {
        JsonNode d = description();
        assertTrue(d.get("openapi").asText().startsWith("3."));
        assertEquals("bearer", d.at("/components/securitySchemes/workerToken/scheme").asText());
        JsonNode error = d.at("/components/schemas/Error");
        assertEquals(Set.of("error", "code"), toSet(error.get("required")));
        for (Operation op : operations()) {
            JsonNode node = d.get("paths").get(op.path()).get(op.method().toLowerCase(java.util.Locale.ROOT));
            assertNotNull(node.get("responses"), op + " documents its responses");
            if (op.path().startsWith("/v1/")) {
                assertNotNull(node.get("responses").get("401"), op + " documents 401");
                assertNotNull(node.get("responses").get("403"), op + " documents 403");
            }
        }
    }

    private static Set<String> toSet(JsonNode array) {
        Set<String> s = new TreeSet<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }
}
