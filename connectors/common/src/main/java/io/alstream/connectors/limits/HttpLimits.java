package io.alstream.connectors.limits;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps slow or stalled clients from holding alstream's HTTP servers (the worker API, the registry, the live page),
 * which run on the JDK's {@code com.sun.net.httpserver}. That server reads a request's headers and body on a thread of
 * its executor, so a client that sends them slowly holds a thread; two defences, both needed:
 * <ul>
 *   <li>time limits: the JDK server closes a connection whose request is not read and answered (response headers sent)
 *   within {@link #REQUEST_TIMEOUT_S} seconds ({@code sun.net.httpserver.maxReqTime}), one whose response is not
 *   written within {@link #RESPONSE_TIMEOUT_S} ({@code maxRspTime}), and an idle kept-alive or silent connection after
 *   {@link #IDLE_TIMEOUT_S} ({@code idleInterval}); a blocked read on a closed connection ends, so its thread is free;</li>
 *   <li>threads: {@link #executor} grows on demand up to its maximum (256 by default, then requests queue) and lets idle
 *   threads go after 30 s, so slow connections below that many do not delay anyone else while they are timed out.</li>
 * </ul>
 * Request bodies are read with a bound by each server (413 over it). The JDK reads its settings once per JVM, when the
 * first server is made: {@link #install()} sets them (unless the JVM was started with its own {@code -D} values) and is
 * called before each of our servers is created. The request timeout must exceed the longest a handler may take to
 * answer (the worker API waits up to its command timeout, 30 s by default, for the topology's reply).
 */
public final class HttpLimits {
    private static final Logger LOG = LoggerFactory.getLogger(HttpLimits.class);
    /** Reading a request and starting its answer, seconds. */
    public static final int REQUEST_TIMEOUT_S = 60;
    /** Writing an answer, seconds. */
    public static final int RESPONSE_TIMEOUT_S = 60;
    /** An idle connection (kept alive, or opened and silent), seconds. */
    public static final int IDLE_TIMEOUT_S = 30;
    /** Default most threads of a server's executor. */
    public static final int DEFAULT_MAX_THREADS = 256;

    private HttpLimits() {
    }

    static {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_TIMEOUT_S);
        setIfAbsent("sun.net.httpserver.maxRspTime", RESPONSE_TIMEOUT_S);
        setIfAbsent("sun.net.httpserver.idleInterval", IDLE_TIMEOUT_S);
    }

    /** Applies the time limits (once per JVM; call before creating a JDK HTTP server). */
    public static void install() {
        // the static initialiser did the work
    }

    /** The request timeout in effect in this JVM, seconds (-1: none, when the JVM was started with that). */
    public static int requestTimeoutSeconds() {
        return Integer.getInteger("sun.net.httpserver.maxReqTime", -1);
    }

    private static void setIfAbsent(String key, int value) {
        String have = System.getProperty(key);
        if (have == null) {
            System.setProperty(key, Integer.toString(value));
        } else if (!have.equals(Integer.toString(value))) {
            LOG.info("HTTP servers use {}={} from this JVM's settings (alstream's default: {})", key, have, value);
        }
    }

    /**
     * An executor for a JDK HTTP server: a thread per connection being served, up to {@code maxThreads}, created on
     * demand and ended after 30 s idle; beyond that, connections wait in a queue.
     */
    public static ExecutorService executor(String name, int maxThreads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
