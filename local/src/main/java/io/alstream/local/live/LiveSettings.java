package io.alstream.local.live;

/**
 * Where the live page listens.
 *
 * @param host the address to bind; 127.0.0.1 by default on the command line, so the page stays on this machine
 * @param port the port, 0 for any free one; negative turns the page off
 */
public record LiveSettings(String host, int port) {
    /** No live page. */
    public static final LiveSettings OFF = new LiveSettings("127.0.0.1", -1);

    public boolean enabled() {
        return port >= 0;
    }
}
