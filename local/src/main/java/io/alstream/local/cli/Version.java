package io.alstream.local.cli;

import picocli.CommandLine;

/** {@code alstream --version}. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"alstream " + (v == null ? "(development build)" : v),
                "Flink 2.2, Kafka 4.2, DJL 0.36 (PyTorch 2.7.1), Avro 1.12, Java " + System.getProperty("java.version")};
    }
}
