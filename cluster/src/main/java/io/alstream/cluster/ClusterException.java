package io.alstream.cluster;

/**
 * Something the cluster harness cannot do, said in one sentence a person can act on (a port taken, a
 * TaskManager that did not register, a jar missing). The command line prints the message and exits non-zero.
 */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
