package io.alstream.local.cli;

import picocli.CommandLine.Option;

import io.alstream.local.live.LiveSettings;

/** The live page's flags, shared by {@code demo} and {@code run}. */
final class LivePageOptions {
    @Option(names = "--live-port", paramLabel = "PORT",
            description = "Port of the live page (accuracy, labels, budget, queue, dead letters, recent requests); "
                    + "0 = any free port (the URL is printed at start). Default: the command's own.")
    Integer port;
    @Option(names = "--live-host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address the live page binds (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface).")
    String host;
    @Option(names = "--no-live", description = "Serve no live page.")
    boolean off;

    /** The settings, with this command's default port where --live-port is not given. */
    LiveSettings settings(int defaultPort) {
        if (off) {
            return LiveSettings.OFF;
        }
        int p = port == null ? defaultPort : port;
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("--live-port must be 0..65535, was " + p);
        }
        return new LiveSettings(host, p);
    }
}
