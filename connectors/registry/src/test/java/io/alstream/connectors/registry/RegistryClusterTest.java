package io.alstream.connectors.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** Several registry instances on one schemas topic, and instances that stop and start again. */
class RegistryClusterTest {

    private static RegistryServer start(String topic) {
        return RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(topic).start();
    }

    private static SchemaRegistryClient clientOf(RegistryServer s) {
        return SchemaRegistryClient.builder(s.url()).build();
    }

    @Test
    void aRestartedRegistryKeepsIdsVersionsAndConfig() {
        String topic = SharedKafka.freshTopic();
        Map<String, Integer> ids = new HashMap<>();
        try (RegistryServer first = start(topic)) {
            SchemaRegistryClient c = clientOf(first);
            ids.put("events", c.register("events-value", UnlabeledEvent.getClassSchema()));
            ids.put("requests", c.register("requests-value", LabelRequest.getClassSchema()));
            ids.put("answers", c.register("answers-value", LabelAnswer.getClassSchema()));
            c.setSubjectCompatibility("answers-value", CompatibilityLevel.FULL);
            c.setGlobalCompatibility(CompatibilityLevel.FORWARD);
        }
        try (RegistryServer second = start(topic)) {
            SchemaRegistryClient c = clientOf(second);
            assertEquals(UnlabeledEvent.getClassSchema(), c.schemaById(ids.get("events")));
            assertEquals(LabelRequest.getClassSchema(), c.schemaById(ids.get("requests")));
            assertEquals(ids.get("answers"), c.lookup("answers-value", LabelAnswer.getClassSchema()).id());
            assertEquals(ids.get("events"), c.register("events-value", UnlabeledEvent.getClassSchema()));
            assertEquals(List.of(1), c.versions("requests-value"));
            assertEquals(Optional.of(CompatibilityLevel.FULL), c.subjectCompatibility("answers-value"));
            assertEquals(CompatibilityLevel.FORWARD, c.globalCompatibility());
            // a new schema gets a new id: nothing is handed out twice after a restart
            int next = c.register("other-value", Evolution.record("Other", "{\"name\":\"a\",\"type\":\"int\"}"));
            assertTrue(ids.values().stream().allMatch(id -> id < next), () -> next + " vs " + ids);
        }
    }

    @Test
    void twoInstancesAgreeAndSeeEachOthersWrites() {
        String topic = SharedKafka.freshTopic();
        try (RegistryServer a = start(topic); RegistryServer b = start(topic)) {
            SchemaRegistryClient ca = clientOf(a);
            SchemaRegistryClient cb = clientOf(b);
            int id = ca.register("events-value", UnlabeledEvent.getClassSchema());
            // a write on b first catches b up with every committed write, so b answers with a's id
            assertEquals(id, cb.register("events-value", UnlabeledEvent.getClassSchema()));
            assertEquals(new RegisteredSchema("events-value", 1, id, UnlabeledEvent.getClassSchema()), cb.latest("events-value"));

            // a breaking change is rejected on b against the version a registered
            assertThrows(IncompatibleSchemaException.class,
                    () -> cb.register("events-value", Evolution.withRequiredField(UnlabeledEvent.getClassSchema())));
            // config written through b governs registrations through a
            cb.setSubjectCompatibility("events-value", CompatibilityLevel.NONE);
            int broken = ca.register("events-value", Evolution.withRequiredField(UnlabeledEvent.getClassSchema()));
            assertEquals(List.of(1, 2), ca.versions("events-value"));
            assertEquals(broken, cb.register("events-value", Evolution.withRequiredField(UnlabeledEvent.getClassSchema())));
        }
    }

    /**
     * Behind a balancer a client registers on one instance and reads the id back from the other at once: the other
     * reads the schemas topic to its end before answering 404, so an id just registered is never "unknown" (a
     * decoder takes 404 as final and would dead-letter the record).
     */
    @Test
    void anIdRegisteredOnOneInstanceIsServedByTheOtherAtOnce() {
        String topic = "_schemas-" + java.util.UUID.randomUUID();
        // b's reader fetches only every 2 s (it waits for more bytes than will come): without the catch-up, b answers
        // 404 for every id a registered in the last 2 s
        try (RegistryServer a = start(topic);
             RegistryServer b = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(topic)
                     .kafkaProperty("fetch.min.bytes", "100000000").kafkaProperty("fetch.max.wait.ms", "2000").start()) {
            SchemaRegistryClient ca = clientOf(a);
            for (int i = 0; i < 5; i++) {
                org.apache.avro.Schema schema = Evolution.record("Fresh" + i, "{\"name\":\"a\",\"type\":\"int\"}");
                int id = ca.register("fresh-" + i + "-value", schema);
                // a fresh client each time: nothing cached, the question goes to b's REST API
                assertEquals(schema, clientOf(b).schemaById(id), "b did not know id " + id + " just registered on a");
            }
            // an id nobody registered is still a clean 404 after the catch-up
            assertThrows(RuntimeException.class, () -> clientOf(b).schemaById(999_999));
        }
    }

    @Test
    void concurrentRegistrationsOnTwoInstancesGetUniqueIds() throws Exception {
        String topic = SharedKafka.freshTopic();
        int threadsPerInstance = 2;
        int schemasPerThread = 4;
        Schema shared = Evolution.record("Shared", "{\"name\":\"s\",\"type\":\"string\"}");
        try (RegistryServer a = start(topic); RegistryServer b = start(topic)) {
            List<SchemaRegistryClient> clients = List.of(clientOf(a), clientOf(b));
            ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerInstance);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Map<String, Integer>>> results = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                for (int t = 0; t < threadsPerInstance; t++) {
                    SchemaRegistryClient c = clients.get(i);
                    String who = "i" + i + "t" + t;
                    Callable<Map<String, Integer>> job = () -> {
                        go.await();
                        Map<String, Integer> mine = new HashMap<>();
                        mine.put("shared", c.register("shared-value", shared));
                        for (int k = 0; k < schemasPerThread; k++) {
                            String name = who + "n" + k;
                            mine.put(name, c.register(name + "-value",
                                    Evolution.record("R" + name, "{\"name\":\"f\",\"type\":\"long\"}")));
                        }
                        return mine;
                    };
                    results.add(pool.submit(job));
                }
            }
            go.countDown();
            Map<String, Integer> all = new HashMap<>();
            Set<Integer> sharedIds = new HashSet<>();
            for (Future<Map<String, Integer>> f : results) {
                Map<String, Integer> m = f.get(2, TimeUnit.MINUTES);
                sharedIds.add(m.remove("shared"));
                all.putAll(m);
            }
            pool.shutdown();

            assertEquals(1, sharedIds.size(), "one schema, one id, whichever instance registered it: " + sharedIds);
            assertEquals(2 * threadsPerInstance * schemasPerThread, all.size());
            Set<Integer> distinct = new HashSet<>(all.values());
            assertEquals(all.size(), distinct.size(), "every distinct schema has its own id: " + all);
            assertTrue(!distinct.contains(sharedIds.iterator().next()));
            assertEquals(List.of(1), clients.get(0).versions("shared-value"), "the shared schema is one version");

            // each instance, and a third started afterwards, resolves every id to the same schema
            try (RegistryServer c = start(topic)) {
                SchemaRegistryClient late = clientOf(c);
                for (Map.Entry<String, Integer> e : all.entrySet()) {
                    Schema expected = Evolution.record("R" + e.getKey(), "{\"name\":\"f\",\"type\":\"long\"}");
                    assertEquals(expected, late.schemaById(e.getValue()), e.getKey());
                    for (SchemaRegistryClient cl : clients) {
                        assertEquals(e.getValue(), cl.lookup(e.getKey() + "-value", expected).id(), e.getKey());
                    }
                }
            }
        }
    }

    @Test
    void refusesATopicThatWouldLoseSchemas() {
        String deleting = SharedKafka.freshTopic();
        SharedKafka.get().createTopic(deleting, 1, Map.of("cleanup.policy", "delete"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(deleting));
        assertTrue(e.getMessage().contains("cleanup.policy"), e.getMessage());

        String partitioned = SharedKafka.freshTopic();
        SharedKafka.get().createTopics(List.of(new NewTopic(partitioned, 3, (short) 1).configs(Map.of("cleanup.policy", "compact"))));
        IllegalStateException p = assertThrows(IllegalStateException.class, () -> start(partitioned));
        assertTrue(p.getMessage().contains("exactly 1"), p.getMessage());
    }

    @Test
    void createsTheTopicCompactedWithOnePartition() throws Exception {
        String topic = SharedKafka.freshTopic();
        try (RegistryServer s = start(topic); var admin = SharedKafka.get().admin()) {
            var d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            assertEquals(1, d.partitions().size());
            var res = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            assertEquals("compact", admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res)
                    .get("cleanup.policy").value());
        }
    }

}
