package io.alstream.connectors.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;

/**
 * A small HTTP server that serves only the {@link LivePage} at its root: for {@code alstream demo} and
 * {@code alstream run}. Two threads; bound to the given address (the command line's default is
 * 127.0.0.1, so the page is not on the network unless asked).
 */
public final class LivePageServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final URI uri;

    private LivePageServer(HttpServer server, ExecutorService threads, URI uri) {
        this.server = server;
        this.threads = threads;
        this.uri = uri;
    }

    /**
     * Starts serving.
     *
     * @param host the address to bind (127.0.0.1, 0.0.0.0, a host name)
     * @param port the port, 0 for any free one
     */
    public static LivePageServer start(String host, int port, Supplier<LiveView> view) throws IOException {
        io.alstream.connectors.limits.HttpLimits.install();
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", new LivePage("", view));
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "live-page");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.start();
        String shown = "0.0.0.0".equals(host) || "::".equals(host) ? "localhost" : host;
        URI uri = URI.create("http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":"
                + server.getAddress().getPort() + "/");
        return new LivePageServer(server, threads, uri);
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8090/}. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
