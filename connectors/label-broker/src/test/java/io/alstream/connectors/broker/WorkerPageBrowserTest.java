package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.state.Json;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker page in a real headless Chromium, on a running broker (real Kafka, registry,
 * wire-format Avro): a person signs in, labels by keyboard, skips, double-clicks, holds a key down,
 * reloads, lets a lease run out, uses a phone-sized screen; the answers it sent arrive as consolidated
 * labels, each exactly once. Keys and clicks go through Chromium's input pipeline (DevTools
 * {@code Input.*}); the test only reads the page. Screenshots land in {@code target/worker-page/}.
 *
 * <p>Needs Chromium (Debian: {@code apt-get install chromium}; {@code .ci/run} installs it). Without
 * it the browser tests fail when {@code CI} is set (a CI run must not pass by skipping them) and are
 * skipped, with that message, on a developer's machine.
 */
class WorkerPageBrowserTest {
    private static final String SECRET = "page-test-secret-0123456789";
    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path ARTIFACTS = Path.of("target", "worker-page");
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static LabelBroker broker;
    private static BrokerConfig config;
    private static BrokerSerdes serdes;
    private HeadlessChromium browser;

    @BeforeAll
    static void start() {
        serdes = BrokerTestKafka.serdes();
        // one answer labels an item, so every answer the page sends shows up on the labels topic
        config = BrokerTestKafka.freshConfig("page").minAnswers(1).maxAnswers(1).leaseDuration(LEASE)
                .commitInterval(Duration.ofMillis(50)).pageImage(BrokerConfig.ImageShape.parse("8x8")).build();
        broker = BrokerTestKafka.startBroker(serdes, config,
                WorkerTokens.of(Map.of("alice", "alice-token-7Qx")).and(WorkerTokens.derivedFrom(SECRET)));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        browser = null;
    }

    /** A fresh browser (its own profile, so its own sessionStorage), or the reason there is none. */
    private HeadlessChromium browser(int width, int height) throws Exception {
        Path binary = HeadlessChromium.find();
        if (binary == null) {
            String why = "the worker page's browser tests need Chromium: apt-get install chromium "
                    + "(or set CHROMIUM to a Chrome/Chromium binary; it is " + System.getenv("CHROMIUM") + ")";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci)) {
                throw new AssertionError(why + "; CI is set, so this fails instead of skipping");
            }
            Assumptions.abort(why + "; skipped (CI is not set)");
        }
        browser = HeadlessChromium.launch(binary, width, height);
        return browser;
    }

    // ------------------------------------------------------------------ requests, labels

    /** 8x8 images (features 0..1), classes named 0..9; a fresh, higher priority than earlier batches. */
    private static List<String> send(String name, int n, int numClasses, List<String> classNames) {
        String prefix = name + "-" + BrokerTestKafka.suffix() + "-";
        double priority = System.nanoTime() / 1e12;
        Instant now = Instant.now();
        List<LabelRequest> rs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Float> f = new ArrayList<>();
            for (int p = 0; p < 64; p++) {
                f.add((float) (((p * 7 + i * 13) % 17) / 16.0));
            }
            String id = prefix + i;
            ids.add(id);
            rs.add(LabelRequest.newBuilder().setRequestId(id).setEventId("ev-" + id).setFeatures(f)
                    .setStrategy("entropy").setScore(1.0).setModelVersion(1L).setCreatedAt(now)
                    .setDeadline(now.plus(Duration.ofHours(1))).setNumClasses(numClasses).setPriority(priority)
                    .setClassNames(classNames).build());
        }
        BrokerTestKafka.produce(serdes, config.requestsTopic(), rs);
        return ids;
    }

    /** Requests that are not images: a text, a link, a URI that must not become a link, three plain features. */
    private static Map<String, String> sendMixed() {
        String prefix = "mixed-" + BrokerTestKafka.suffix() + "-";
        double priority = System.nanoTime() / 1e12;
        Instant now = Instant.now();
        Map<String, String> kinds = new LinkedHashMap<>();
        List<LabelRequest> rs = new ArrayList<>();
        for (String kind : List.of("text", "link", "script-uri", "table")) {
            LabelRequest.Builder r = LabelRequest.newBuilder().setRequestId(prefix + kind).setEventId("ev-" + prefix + kind)
                    .setFeatures(List.of(0.125f, -2.5f, 1000f)).setStrategy("entropy").setScore(1.0).setModelVersion(1L)
                    .setCreatedAt(now).setDeadline(now.plus(Duration.ofHours(1))).setNumClasses(3).setPriority(priority)
                    .setClassNames(List.of("cat", "dog", "bird"));
            switch (kind) {
                case "text" -> r.setPayloadText("<b>not bold</b> & a review to read");
                case "link" -> r.setPayloadUri("https://example.org/items/7?size=large");
                case "script-uri" -> r.setPayloadUri("javascript:alert(1)");
                default -> r.setAttributes(Map.of("source", "sensor-4"));
            }
            rs.add(r.build());
            kinds.put(prefix + kind, kind);
        }
        BrokerTestKafka.produce(serdes, config.requestsTopic(), rs);
        return kinds;
    }

    /** Consolidated labels of these requests: label by request id, waiting until {@code expected} have arrived. */
    private static Map<String, List<Integer>> labelsOf(List<String> requestIds, int expected) {
        Map<String, List<Integer>> out = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            out.clear();
            for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(), config.labelsTopic(),
                    Duration.ofSeconds(10))) {
                ConsolidatedLabel l = serdes.labels().deserializer().deserialize(config.labelsTopic(), r.value());
                String id = String.valueOf(l.getRequestId());
                if (requestIds.contains(id)) {
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add(l.getLabel());
                }
            }
        } while (out.values().stream().mapToInt(List::size).sum() < expected && System.nanoTime() < deadline);
        return out;
    }

    private static WorkerStatsView stats(String worker, String token) {
        return new WorkerClient(broker.httpUri(), worker, token).stats();
    }

    private static String pageUrl() {
        return broker.httpUri().resolve("worker").toString();
    }

    // ------------------------------------------------------------------ the page, as a person uses it

    /** Opens the page and signs in by typing: worker id, Tab, token, Enter. */
    private void signIn(HeadlessChromium b, String worker, String token) {
        b.navigate(pageUrl());
        b.waitFor("document.activeElement && document.activeElement.id === 'worker-id'", WAIT);
        b.type(worker);
        b.press("Tab");
        assertEquals("token", b.eval("document.activeElement.id").asText(), "Tab goes from the worker id to the token");
        b.type(token);
        b.press("Enter");
        b.waitFor("!document.getElementById('work').hidden", WAIT);
    }

    /** A fresh desktop-sized browser, signed in. */
    private HeadlessChromium signedIn(String worker, String token) throws Exception {
        HeadlessChromium b = browser(1024, 900);
        signIn(b, worker, token);
        return b;
    }

    /** The request id of the task on screen, once one is (and differs from {@code previous}). */
    private static String taskShown(HeadlessChromium b, String previous) {
        String prev = previous == null ? "" : previous;
        return b.waitFor("(() => { const i = document.getElementById('item'); const id = i.dataset.requestId;"
                + " return i.childElementCount > 0 && document.querySelectorAll('#classes button:not([disabled])').length > 0"
                + " && !document.getElementById('skip').disabled && !document.getElementById('skip').hidden"
                + " && id !== " + Json.MAPPER.valueToTree(prev) + " ? id : ''; })()", WAIT).asText();
    }

    private static String text(HeadlessChromium b, String id) {
        return b.eval("document.getElementById('" + id + "').textContent").asText();
    }

    private static void waitForText(HeadlessChromium b, String id, String expected) {
        b.waitFor("document.getElementById('" + id + "').textContent === " + Json.MAPPER.valueToTree(expected), WAIT);
    }

    /**
     * Nothing the page sent carried a token in its URL, every API call carried one in its header and no
     * other request did, and no console or browser log line shows one.
     */
    private static void assertTokenOnlyInHeaders(HeadlessChromium b, String... tokens) {
        List<HeadlessChromium.Request> api = new ArrayList<>();
        List<String> bearers = java.util.Arrays.stream(tokens).map(t -> "Bearer " + t).toList();
        for (HeadlessChromium.Request r : b.requests()) {
            for (String token : tokens) {
                assertFalse(r.url().contains(token), "a token in a URL: " + r.url());
                assertFalse(b.eval("location.href").asText().contains(token));
            }
            assertTrue(r.url().startsWith(broker.httpUri().toString()), "the page talks only to its broker: " + r.url());
            if (r.url().contains("/v1/")) {
                api.add(r);
                assertTrue(bearers.contains(r.headers().get("Authorization")), r.url() + ": " + r.headers());
            } else {
                assertFalse(r.headers().containsKey("Authorization"), "the token goes only to the API: " + r.url());
            }
        }
        for (String line : b.console()) {
            for (String token : tokens) {
                assertFalse(line.contains(token), "a token in the browser's log: " + line);
            }
        }
        assertFalse(api.isEmpty(), "the page called the API");
        assertEquals(0, b.eval("localStorage.length").asInt(), "nothing outlives the tab");
    }

    private static void assertNoPolicyViolations(HeadlessChromium b) {
        for (String line : b.console()) {
            assertFalse(line.contains("Content Security Policy") || line.contains("Trusted Type") || line.startsWith("exception"),
                    "the page broke its own policy or threw: " + line);
        }
    }

    private static void awaitHeld(HeadlessChromium b, CompletableFuture<String> held) throws InterruptedException {
        try {
            held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the page sent no answer to hold back; page text: " + b.eval("document.body.innerText")
                    + "; console: " + b.console() + "; requests: "
                    + b.requests().stream().map(r -> r.method() + " " + r.url()).toList(), e);
        }
    }

    private static long answerPosts(HeadlessChromium b, String requestId) {
        return b.requests().stream().filter(r -> r.method().equals("POST") && r.url().endsWith("/tasks/" + requestId + "/answer"))
                .count();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aWrongTokenShowsAClearMessageAndIsKeptNowhere() throws Exception {
        HeadlessChromium b = browser(1024, 768);
        b.navigate(pageUrl());
        b.waitFor("document.activeElement && document.activeElement.id === 'worker-id'", WAIT);
        b.type("alice");
        b.press("Tab");
        b.type("not-alices-token");
        b.press("Enter");
        String message = b.waitFor("(() => { const e = document.getElementById('sign-in-error');"
                + " return e.hidden ? '' : e.textContent; })()", WAIT).asText();
        assertTrue(message.startsWith("Wrong token"), message);
        assertTrue(b.eval("document.getElementById('work').hidden").asBoolean(), "no task screen without a valid token");
        assertEquals(0, b.eval("sessionStorage.length + localStorage.length").asInt(), "a refused token is not stored");
        assertEquals("token", b.eval("document.activeElement.id").asText(), "the token field has the focus again");

        // a token of another worker says so
        b.press("Backspace"); // the field's text is selected: this clears it
        b.type(WorkerTokens.derive(SECRET, "bob"));
        b.press("Enter");
        b.waitFor("document.getElementById('sign-in-error').textContent.startsWith('This token belongs to another worker')", WAIT);
        b.screenshot(ARTIFACTS.resolve("wrong-token.png"));
        assertTokenOnlyInHeaders(b, "not-alices-token", WorkerTokens.derive(SECRET, "bob"));
        assertNoPolicyViolations(b);
    }

    @Test
    void aWorkerSignsInLabelsTenItemsByKeyboardSkipsOneAndTheAnswersArriveAsLabels() throws Exception {
        List<String> ids = send("ten", 11, 10, DIGITS);
        HeadlessChromium b = signedIn("alice", "alice-token-7Qx");
        waitForText(b, "stat-accepted", "0");

        Map<String, Integer> typed = new LinkedHashMap<>();
        String skipped = null;
        String shown = null;
        for (int i = 0; i < 11; i++) {
            shown = taskShown(b, shown);
            assertTrue(ids.contains(shown), "a task of this test: " + shown);
            assertTrue(b.eval("!!document.querySelector('#item canvas.item-image')").asBoolean(), "64 features shown as an 8x8 image");
            if (i == 4) {
                skipped = shown;
                b.press("s");
                continue;
            }
            int label = (3 * i + 1) % 10; // classes named 0..9 answer to their own digit
            typed.put(shown, label);
            b.press(Integer.toString(label)); // one key per answer
        }
        waitForText(b, "stat-accepted", "10");
        waitForText(b, "stat-released", "1");
        b.screenshot(ARTIFACTS.resolve("labelled-ten.png"));

        Map<String, List<Integer>> labels = labelsOf(ids, 10);
        Map<String, List<Integer>> expected = new TreeMap<>();
        typed.forEach((id, label) -> expected.put(id, List.of(label)));
        assertEquals(expected, labels, "each answer typed arrives once, as the consolidated label of its item; the skipped one has none");
        assertNotNull(skipped);
        WorkerStatsView s = stats("alice", "alice-token-7Qx");
        assertEquals(10, s.answersAccepted);
        assertEquals(1, s.leasesReleased);
        assertTrue(s.answersRejected.isEmpty(), "the page sent nothing the broker refused: " + s.answersRejected);
        for (String id : typed.keySet()) {
            assertEquals(1, answerPosts(b, id), "one answer request per task");
        }
        assertTokenOnlyInHeaders(b, "alice-token-7Qx");
        assertNoPolicyViolations(b);
    }

    @Test
    void eachItemIsShownByWhatItCarriesAsTextNeverAsMarkup() throws Exception {
        Map<String, String> kinds = sendMixed();
        String token = WorkerTokens.derive(SECRET, "gina");
        HeadlessChromium b = signedIn("gina", token);
        Map<String, String> seen = new TreeMap<>();
        String shown = null;
        for (int i = 0; i < kinds.size(); i++) {
            shown = taskShown(b, shown);
            String kind = kinds.get(shown);
            assertNotNull(kind, "a task of this test: " + shown);
            seen.put(shown, kind);
            assertFalse(b.eval("!!document.querySelector('#item canvas')").asBoolean(), "3 features are no 8x8 image");
            assertEquals("1 cat2 dog3 bird", b.eval("[...document.querySelectorAll('#classes button')].map(x => x.textContent).join('')")
                    .asText(), "classes not named by digits take 1, 2, 3");
            switch (kind) {
                case "text" -> {
                    assertEquals("<b>not bold</b> & a review to read", text(b, "item").substring(0, 34));
                    assertEquals(0, b.eval("document.querySelectorAll('#item b').length").asInt(), "text, never markup");
                }
                case "link" -> {
                    assertEquals("https://example.org/items/7?size=large", b.eval("document.querySelector('#item a').href").asText());
                    assertEquals("noopener noreferrer", b.eval("document.querySelector('#item a').rel").asText());
                }
                case "script-uri" -> {
                    assertEquals(0, b.eval("document.querySelectorAll('#item a').length").asInt(), "only http(s) becomes a link");
                    assertTrue(text(b, "item").contains("javascript:alert(1)"));
                }
                default -> {
                    assertEquals(List.of("0.125", "-2.50", "1.00e+3"), Json.MAPPER.convertValue(
                            b.eval("[...document.querySelectorAll('#item table.features td')].map(x => x.textContent)"), List.class));
                    assertTrue(text(b, "item").contains("sensor-4"), "attributes are shown");
                }
            }
            if (kind.equals("table")) {
                b.press("2"); // dog
            } else {
                b.press("s");
            }
        }
        assertEquals(new TreeMap<>(kinds), seen);
        waitForText(b, "stat-accepted", "1");
        waitForText(b, "stat-released", "3");
        String table = kinds.entrySet().stream().filter(e -> e.getValue().equals("table")).findFirst().orElseThrow().getKey();
        assertEquals(Map.of(table, List.of(1)), labelsOf(new ArrayList<>(kinds.keySet()), 1), "key 2 is the second class");
        assertNoPolicyViolations(b);
    }

    @Test
    void doubleClicksHeldKeysAndReloadsNeitherLoseNorDoubleAnAnswer() throws Exception {
        List<String> ids = send("twice", 7, 10, DIGITS);
        String token = WorkerTokens.derive(SECRET, "carol");
        HeadlessChromium b = signedIn("carol", token);
        b.intercept("*/answer"); // so that two answers below can be cut off; the others pass
        Map<String, Integer> answered = new LinkedHashMap<>();

        // a double click answers once: its second click, landing on the next task's button, is not an answer
        String a = taskShown(b, null);
        b.click("#classes button[data-label='3']", 1);
        answered.put(a, 3);
        String next = taskShown(b, a);
        b.click("#classes button[data-label='3']", 2);

        // a key held down answers once: its repeats, arriving on the next task, are not answers
        b.keyDown("5", false);
        answered.put(next, 5);
        String c = taskShown(b, next);
        for (int i = 0; i < 3; i++) {
            b.keyDown("5", true);
        }
        b.keyUp("5");

        // a reload shows the same task again (it is still this worker's), and one key press answers it
        b.reload();
        assertEquals(c, taskShown(b, null), "the task held before the reload");
        b.press("7");
        answered.put(c, 7);
        String d = taskShown(b, c);

        // an answer cut off by a reload before it reached the broker is sent after the reload: not lost
        CompletableFuture<String> held = b.holdNext("Request");
        b.press("2");
        awaitHeld(b, held);
        b.reload();
        answered.put(d, 2);
        String e = taskShown(b, d);

        // an answer the broker took but whose reply a reload cut off is sent again, and counted once
        held = b.holdNext("Response");
        b.press("6");
        awaitHeld(b, held);
        b.reload();
        answered.put(e, 6);
        String f = taskShown(b, e);
        assertFalse(answered.containsKey(f));
        // one answer labels an item here, so the broker calls the second copy's item closed, not a duplicate
        assertTrue(text(b, "status").startsWith("That item is labelled now; your answer from before the reload counted"),
                text(b, "status"));

        waitForText(b, "stat-accepted", "5");
        Map<String, List<Integer>> expected = new TreeMap<>();
        answered.forEach((id, label) -> expected.put(id, List.of(label)));
        assertEquals(expected, labelsOf(ids, 5), "every answer given arrives exactly once");
        assertEquals(1, answerPosts(b, a), "the double click sent one answer");
        assertEquals(1, answerPosts(b, next), "the held key sent one answer");
        assertEquals(1, answerPosts(b, c), "the task after them was answered once, by its own key");
        assertEquals(2, answerPosts(b, d), "sent, cut off, sent again");
        assertEquals(2, answerPosts(b, e), "sent and taken, reply cut off, sent again (and refused)");
        assertEquals(0, answerPosts(b, f), "the next task was not answered by a stray click or key");
        assertEquals(5, stats("carol", token).answersAccepted);
        assertTokenOnlyInHeaders(b, token);
        assertNoPolicyViolations(b);
    }

    @Test
    void whenTheLeaseRunsOutThePageSaysSoSendsNothingAndTheTaskGoesBackToTheQueue() throws Exception {
        List<String> ids = send("expiry", 1, 10, DIGITS);
        String token = WorkerTokens.derive(SECRET, "dave");
        HeadlessChromium b = signedIn("dave", token);
        String id = taskShown(b, null);
        assertEquals(ids.get(0), id);
        assertTrue(text(b, "lease-left").startsWith("Time left: 0:"), text(b, "lease-left"));
        assertTrue(text(b, "lease").contains("goes back to the queue"), "the page says what happens at expiry");

        b.waitFor("document.getElementById('lease-left').textContent === 'Time ran out.'", WAIT);
        assertTrue(text(b, "status").contains("went back to the queue"), text(b, "status"));
        b.screenshot(ARTIFACTS.resolve("lease-expired.png"));
        b.press("4");
        assertEquals(0, answerPosts(b, id), "no answer is sent for an expired lease");

        // the broker saw it expire: another worker may take it (and here gives it back)
        WorkerClient erin = new WorkerClient(broker.httpUri(), "erin", WorkerTokens.derive(SECRET, "erin"));
        Optional<TaskView> t = Optional.empty();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && (t.isEmpty() || !t.get().requestId.equals(id))) {
            t.ifPresent(x -> erin.release(x.requestId));
            t = erin.next();
        }
        assertEquals(id, t.map(x -> x.requestId).orElse(null), "the expired task is back in the queue");
        assertTrue(erin.release(id));

        // N asks for the next task: the same one, leased again, and answered with one key
        b.press("n");
        assertEquals(id, taskShown(b, null));
        waitForText(b, "stat-expired", "1");
        b.press("4");
        waitForText(b, "stat-accepted", "1");
        assertEquals(Map.of(id, List.of(4)), labelsOf(ids, 1));
        assertEquals(1, answerPosts(b, id));
        assertTrue(stats("dave", token).answersRejected.isEmpty());
        assertNoPolicyViolations(b);
    }

    @Test
    void onAPhoneSizedScreenManyClassesAreFoundWithTheSearchBox() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add("species " + (char) ('a' + i % 26) + (i / 26) + " no" + i);
        }
        List<String> ids = send("phone", 1, 30, names);
        String token = WorkerTokens.derive(SECRET, "frank");
        HeadlessChromium b = browser(390, 844);
        b.phone(390, 844);
        signIn(b, "frank", token);
        String id = taskShown(b, null);
        assertEquals(ids.get(0), id);
        assertTrue(b.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean(),
                "nothing scrolls sideways at 390 px: " + b.eval("document.documentElement.scrollWidth"));
        assertFalse(b.eval("document.getElementById('search-box').hidden").asBoolean(), "30 classes get a search box");
        assertEquals(10, b.eval("document.querySelectorAll('#classes button kbd').length").asInt(),
                "the first ten classes have keys 1-9, 0");

        b.press("/");
        assertEquals("class-search", b.eval("document.activeElement.id").asText());
        b.type("no17");
        assertEquals(1, b.eval("document.querySelectorAll('#classes button:not([hidden])').length").asInt());
        b.screenshot(ARTIFACTS.resolve("phone-search.png"));
        b.press("Enter");
        waitForText(b, "stat-accepted", "1");
        assertEquals(Map.of(id, List.of(17)), labelsOf(ids, 1));
        assertNoPolicyViolations(b);
    }

    // ------------------------------------------------------------------ the routes, without a browser

    private static HttpResponse<String> get(String path, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(broker.httpUri().resolve(path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageIsServedWithAStrictPolicyAndNoInlineCode() throws Exception {
        HttpResponse<String> page = get("worker", "GET");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        for (String directive : List.of("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'", "require-trusted-types-for 'script'")) {
            assertTrue(csp.contains(directive), "CSP has " + directive + ": " + csp);
        }
        assertFalse(csp.contains("unsafe"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""));
        String html = page.body();
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline script");
        assertFalse(Pattern.compile("\\sstyle\\s*=|<style", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline style");
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline handlers");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no other host (CDN)");

        Map<String, String> types = Map.of("worker/app.js", "text/javascript", "worker/app.css", "text/css",
                "worker/settings.json", "application/json");
        for (Map.Entry<String, String> e : types.entrySet()) {
            HttpResponse<String> r = get(e.getKey(), "GET");
            assertEquals(200, r.statusCode(), e.getKey());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(e.getValue()), e.getKey());
            assertEquals(csp, r.headers().firstValue("Content-Security-Policy").orElse(""));
        }
        assertFalse(get("worker/app.js", "GET").body().contains("innerHTML"), "text only: no HTML sinks");
        JsonNode settings = Json.MAPPER.readTree(get("worker/settings.json", "GET").body());
        assertEquals(8, settings.get("imageWidth").asInt());
        assertEquals(8, settings.get("imageHeight").asInt());
    }

    @Test
    void badRequestsToThePageRoutesGetJsonErrorsWithAReason() throws Exception {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("GET worker?token=abc", new Object[] {400, "unexpected-query"});
        cases.put("GET worker/app.js?x=1", new Object[] {400, "unexpected-query"});
        cases.put("POST worker", new Object[] {405, "method-not-allowed"});
        cases.put("DELETE worker/settings.json", new Object[] {405, "method-not-allowed"});
        cases.put("GET worker/other.js", new Object[] {404, "no-such-route"});
        cases.put("GET worker/", new Object[] {404, "no-such-route"});
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            String[] mp = c.getKey().split(" ");
            HttpResponse<String> r = get(mp[1], mp[0]);
            assertEquals(c.getValue()[0], r.statusCode(), c.getKey() + ": " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), c.getKey());
            JsonNode j = Json.MAPPER.readTree(r.body());
            assertEquals(c.getValue()[1], j.path("reason").asText(), c.getKey() + ": " + r.body());
            assertFalse(j.path("error").asText().isBlank());
        }
    }
}
