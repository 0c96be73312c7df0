package io.alstream.connectors.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real headless Chromium driven over the DevTools protocol (its {@code --remote-debugging-port}
 * websocket, with the JDK's WebSocket client): keys are typed with {@code Input.dispatchKeyEvent} and
 * clicks made with {@code Input.dispatchMouseEvent}, so they go through the browser's own input
 * handling (focus, default actions, form submission) as a person's would. It records every network
 * request the page makes and every console message, and takes screenshots.
 *
 * <p>Which binary: {@code $CHROMIUM}, else {@code chromium}, {@code chromium-browser},
 * {@code google-chrome} on the PATH (Debian: {@code apt-get install chromium}).
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    /** One network request the page sent. */
    record Request(String method, String url, Map<String, String> headers) {
    }

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();
    private final Object sending = new Object();
    /** An armed hold: the stage ("Request" or "Response") and what completes when a request is held there. */
    private record Hold(String stage, CompletableFuture<String> held) {
    }
    private volatile Hold hold;

    /** The browser binary, or null when none is installed (or {@code $CHROMIUM} names no executable). */
    public static Path find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Files.isExecutable(Path.of(env)) ? Path.of(env) : null;
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Starts the browser on about:blank with a window of this size and a fresh profile. */
    public static HeadlessChromium launch(Path binary, int width, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("alstream-chromium-");
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return new HeadlessChromium(p, profile);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile) throws IOException, InterruptedException {
        this.process = process;
        this.profile = profile;
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> browserWs = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    stderr.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        browserWs.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            browserWs.completeExceptionally(new IllegalStateException("chromium exited before it listened: " + stderr));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        URI ws;
        try {
            ws = URI.create(browserWs.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("chromium did not start its DevTools endpoint: " + stderr, e);
        }
        HttpClient http = HttpClient.newHttpClient();
        URI list = URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list");
        String pageWs = null;
        for (int attempt = 0; attempt < 50 && pageWs == null; attempt++) {
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    pageWs = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageWs == null) {
                Thread.sleep(100);
            }
        }
        if (pageWs == null) {
            throw new IllegalStateException("chromium has no page target");
        }
        this.socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener()).join();
        call("Page.enable", null);
        call("Runtime.enable", null);
        call("Log.enable", null);
        call("Network.enable", null);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    dispatch(JSON.readTree(text));
                } catch (IOException e) {
                    console.add("unreadable DevTools message: " + e);
                }
            }
            ws.request(1);
            return null;
        }
    }

    private void dispatch(JsonNode msg) {
        if (msg.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(msg.get("id").asInt());
            if (f != null) {
                if (msg.has("error")) {
                    f.completeExceptionally(new IllegalStateException("DevTools error: " + msg.get("error")));
                } else {
                    f.complete(msg.get("result"));
                }
            }
            return;
        }
        String method = msg.path("method").asText();
        JsonNode params = msg.path("params");
        switch (method) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Network.requestWillBeSent" -> {
                JsonNode r = params.path("request");
                Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                r.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
                requests.add(new Request(r.path("method").asText(), r.path("url").asText(), headers));
            }
            case "Runtime.consoleAPICalled" -> {
                StringBuilder s = new StringBuilder(params.path("type").asText()).append(':');
                params.path("args").forEach(a -> s.append(' ').append(a.path("value").asText(a.path("description").asText())));
                console.add(s.toString());
            }
            case "Fetch.requestPaused" -> {
                boolean response = params.has("responseStatusCode") || params.has("responseErrorReason");
                Hold h = hold;
                if (h != null && h.stage().equals(response ? "Response" : "Request") && !h.held().isDone()) {
                    hold = null;
                    h.held().complete(params.path("request").path("url").asText()); // never continued: it dies with the page
                } else {
                    // let it through; its reply is not awaited, as this is the thread that reads replies
                    ObjectNode go = JSON.createObjectNode().put("id", ids.incrementAndGet())
                            .put("method", response ? "Fetch.continueResponse" : "Fetch.continueRequest");
                    go.putObject("params").put("requestId", params.path("requestId").asText());
                    send(go.toString());
                }
            }
            case "Runtime.exceptionThrown" -> console.add("exception: " + params.path("exceptionDetails"));
            case "Log.entryAdded" -> console.add(params.path("entry").path("level").asText() + ": "
                    + params.path("entry").path("text").asText() + " " + params.path("entry").path("url").asText());
            default -> {
            }
        }
    }

    /** Sends one DevTools command and waits for its result. */
    JsonNode call(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        calls.put(id, f);
        send(msg.toString());
        try {
            return f.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " failed: " + e, e);
        }
    }

    /** One message at a time: the WebSocket refuses a send while another is pending. */
    private void send(String text) {
        synchronized (sending) {
            socket.sendText(text, true).join();
        }
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    /** Opens a URL and waits for its load event. */
    public void navigate(String url) {
        loaded = new CompletableFuture<>();
        call("Page.navigate", params().put("url", url));
        awaitLoad();
    }

    /** Reloads the page as the reload button would, and waits for its load event. */
    void reload() {
        loaded = new CompletableFuture<>();
        call("Page.reload", params());
        awaitLoad();
    }

    private void awaitLoad() {
        try {
            loaded.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the page did not load: " + e);
        }
    }

    /**
     * Intercepts requests whose URL matches {@code urlPattern} (a DevTools glob) before they are sent and
     * when their response arrives; they pass unless {@link #holdNext} holds one back. Call it before the
     * page sends them (enabling interception takes effect asynchronously in the browser).
     */
    void intercept(String urlPattern) {
        ObjectNode p = params();
        com.fasterxml.jackson.databind.node.ArrayNode patterns = p.putArray("patterns");
        patterns.addObject().put("urlPattern", urlPattern).put("requestStage", "Request");
        patterns.addObject().put("urlPattern", urlPattern).put("requestStage", "Response");
        call("Fetch.enable", p);
    }

    /**
     * Holds back the next intercepted request at {@code stage}: at {@code Request} it never reaches the
     * server; at {@code Response} the server has answered but the page never hears it. The future
     * completes, with the URL, once one is held.
     */
    CompletableFuture<String> holdNext(String stage) {
        Hold h = new Hold(stage, new CompletableFuture<>());
        hold = h;
        return h.held();
    }

    /** The value of a JavaScript expression in the page (promises awaited). Reads only. */
    public JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", params().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("'" + expression + "' threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Waits until the expression is truthy (a condition of the page, not a duration), then returns its value. */
    public JsonNode waitFor(String expression, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = eval(expression);
            if (v != null && !v.isMissingNode() && !v.isNull() && !(v.isBoolean() && !v.asBoolean())
                    && !(v.isTextual() && v.asText().isEmpty())) {
                return v;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("the page never satisfied `" + expression + "` within " + timeout + " (last value " + v
                + "); page text: " + eval("document.body.innerText") + "; console: " + console());
    }

    /** Presses and releases one key: a character ("7", "s", "/") or a named key ("Enter", "Tab", "Escape"). */
    void press(String key) {
        keyDown(key, false);
        keyUp(key);
    }

    /** Types text one key at a time. */
    void type(String text) {
        for (int i = 0; i < text.length(); i++) {
            press(String.valueOf(text.charAt(i)));
        }
    }

    /** A key going down; {@code autoRepeat} for the repeats a key held down sends. */
    void keyDown(String key, boolean autoRepeat) {
        ObjectNode p = keyParams(key).put("type", "keyDown").put("autoRepeat", autoRepeat);
        String text = textOf(key);
        if (text != null) {
            p.put("text", text).put("unmodifiedText", text);
        }
        call("Input.dispatchKeyEvent", p);
    }

    void keyUp(String key) {
        call("Input.dispatchKeyEvent", keyParams(key).put("type", "keyUp"));
    }

    private static String textOf(String key) {
        return switch (key) {
            case "Enter" -> "\r";
            case "Tab", "Escape", "Backspace" -> null;
            default -> key.length() == 1 ? key : null;
        };
    }

    /** key, code and the Windows virtual key code, as a US keyboard sends them. */
    private static ObjectNode keyParams(String key) {
        ObjectNode p = params().put("key", key);
        int vk;
        String code;
        switch (key) {
            case "Enter" -> { vk = 13; code = "Enter"; }
            case "Tab" -> { vk = 9; code = "Tab"; }
            case "Escape" -> { vk = 27; code = "Escape"; }
            case "Backspace" -> { vk = 8; code = "Backspace"; }
            case "/" -> { vk = 191; code = "Slash"; }
            case "-" -> { vk = 189; code = "Minus"; }
            case "." -> { vk = 190; code = "Period"; }
            case "_" -> { vk = 189; code = "Minus"; }
            default -> {
                char c = key.charAt(0);
                if (Character.isDigit(c)) {
                    vk = c;
                    code = "Digit" + c;
                } else if (Character.isLetter(c) && c < 128) {
                    vk = Character.toUpperCase(c);
                    code = "Key" + Character.toUpperCase(c);
                } else {
                    vk = 0;
                    code = "";
                }
            }
        }
        p.put("code", code).put("windowsVirtualKeyCode", vk).put("nativeVirtualKeyCode", vk);
        if (key.length() == 1 && (Character.isUpperCase(key.charAt(0)) || key.equals("_"))) {
            p.put("modifiers", 8); // shift
        }
        return p;
    }

    /**
     * Clicks the middle of the element a CSS selector finds. {@code clickCount} is what the browser
     * counts: 1 for a click, 2 for the second click of a double click.
     */
    void click(String selector, int clickCount) {
        JsonNode box = eval("(() => { const r = document.querySelector(" + JSON.valueToTree(selector)
                + ").getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        double x = box.get("x").asDouble();
        double y = box.get("y").asDouble();
        call("Input.dispatchMouseEvent", params().put("type", "mouseMoved").put("x", x).put("y", y));
        call("Input.dispatchMouseEvent", params().put("type", "mousePressed").put("x", x).put("y", y)
                .put("button", "left").put("buttons", 1).put("clickCount", clickCount));
        call("Input.dispatchMouseEvent", params().put("type", "mouseReleased").put("x", x).put("y", y)
                .put("button", "left").put("buttons", 0).put("clickCount", clickCount));
    }

    /** Emulates a phone's screen: this CSS size, a touch-less mobile viewport. */
    void phone(int width, int height) {
        call("Emulation.setDeviceMetricsOverride", params().put("width", width).put("height", height)
                .put("deviceScaleFactor", 2).put("mobile", true));
    }

    /** A PNG of the viewport, written to {@code file}. */
    public void screenshot(Path file) throws IOException {
        JsonNode r = call("Page.captureScreenshot", params().put("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    /** Every request the page sent so far. */
    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Every console message, JavaScript exception and browser log entry so far. */
    public List<String> console() {
        synchronized (console) {
            return List.copyOf(console);
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LabelBroker.deleteRecursively(profile);
    }
}
