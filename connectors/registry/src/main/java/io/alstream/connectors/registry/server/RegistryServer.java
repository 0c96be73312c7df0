package io.alstream.connectors.registry.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.alstream.connectors.registry.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST API (Avro), keeping its schemas in a compacted Kafka
 * topic. Any number of instances can serve the same topic: each reads the whole topic into memory and
 * answers reads from it; writes go through the topic with a single writer enforced by Kafka (see
 * {@link SchemaLog}), so ids are unique and survive restarts.
 *
 * <pre>{@code
 * // embedded
 * try (RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
 *     String url = registry.url();   // http://localhost:PORT
 * }
 * // standalone: blocks until the JVM is asked to stop
 * RegistryServer.run(new RegistryServerOptions("broker:9092").host("0.0.0.0").port(8081));
 * }</pre>
 */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final RegistryServerOptions options;
    private final String instanceName;
    private final SchemaLog log;
    private final HttpServer http;
    private final ExecutorService executor;
    private final String url;
    private final CountDownLatch closed = new CountDownLatch(1);

    private RegistryServer(RegistryServerOptions o) {
        this.options = o;
        this.instanceName = o.instanceName() != null ? o.instanceName()
                : "pid" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();
        RegistryState state = new RegistryState();
        this.log = new SchemaLog(o.bootstrapServers(), o.topic(), o.topicReplicationFactor(), o.kafkaProperties(),
                instanceName, o.timeout(), state);
        HttpServer server = null;
        ExecutorService pool = null;
        try {
            log.start();
            RegistryService service = new RegistryService(state, log, o.defaultCompatibility());
            server = createHttpServer(o);
            // slow clients: time limits on reading and answering, a thread per connection up to httpThreads (HttpLimits)
            pool = io.alstream.connectors.limits.HttpLimits.executor("registry-http-" + instanceName, o.httpThreads());
            server.setExecutor(pool);
            server.createContext("/", new RegistryHttpHandler(service, new BasicAuthCheck(o.users()), new RegistryMetrics(state)));
            server.start();
        } catch (RuntimeException | IOException e) {
            if (server != null) {
                server.stop(0);
            }
            if (pool != null) {
                pool.shutdownNow();
            }
            log.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot listen on " + o.host() + ":" + o.port() + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        this.http = server;
        this.executor = pool;
        String scheme = server instanceof HttpsServer ? "https" : "http";
        String host = "0.0.0.0".equals(o.host()) || "::".equals(o.host()) ? "localhost" : o.host();
        this.url = scheme + "://" + host + ":" + server.getAddress().getPort();
        LOG.info("schema registry {} listening on {} (topic '{}' at {}, default compatibility {}, basic auth {}, TLS {})",
                instanceName, url, o.topic(), o.bootstrapServers(), o.defaultCompatibility(),
                o.users().isEmpty() ? "off" : "on for " + o.users().size() + " user(s)",
                o.tlsKeyStore() == null ? "off" : o.tlsClientTrustStore() == null ? "on" : "on, client certificates required");
    }

    /** Options with the Kafka bootstrap servers set; chain settings and end with {@code .start()}. */
    public static RegistryServerOptions builder(String bootstrapServers) {
        return new RegistryServerOptions(bootstrapServers);
    }

    /** Starts a server: creates or checks the topic, reads it to its end, then listens. */
    public static RegistryServer start(RegistryServerOptions options) {
        return new RegistryServer(options);
    }

    /**
     * Standalone entry ({@code alstream registry}): starts the server and blocks until the JVM shuts down
     * (SIGTERM, Ctrl-C) or the calling thread is interrupted, then stops it cleanly.
     */
    public static void run(RegistryServerOptions options) {
        RegistryServer server = start(options);
        Thread hook = new Thread(server::close, "registry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down and the hook is running
            }
        }
    }

    private static HttpServer createHttpServer(RegistryServerOptions o) throws IOException {
        io.alstream.connectors.limits.HttpLimits.install();
        InetSocketAddress address = new InetSocketAddress(o.host(), o.port());
        if (o.tlsKeyStore() == null) {
            return HttpServer.create(address, 64);
        }
        SSLContext ssl = TlsContexts.create(o.tlsClientTrustStore(), o.tlsKeyStore(), o.tlsKeyPassword());
        boolean needClientAuth = o.tlsClientTrustStore() != null;
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ssl.getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        return server;
    }

    /** Base URL for clients, e.g. {@code http://localhost:8081}. */
    public String url() {
        return url;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public RegistryServerOptions options() {
        return options;
    }

    /** Stops listening, then stops reading the topic. Idempotent. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        synchronized (this) {
            if (closed.getCount() == 0) {
                return;
            }
            http.stop(0);
            executor.shutdown();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.close();
            LOG.info("schema registry {} at {} stopped", instanceName, url);
            closed.countDown();
        }
    }
}
