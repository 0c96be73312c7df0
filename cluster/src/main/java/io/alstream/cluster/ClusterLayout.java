package io.alstream.cluster;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the build put what a cluster needs: the cluster class path ({@code cluster/target/flink-lib}) and the
 * shaded job jar ({@code flink-job/target/alstream-flink-job-*-job.jar}). Found from the system properties
 * {@code alstream.flink.lib} / {@code alstream.job.jar} when set, else by walking up from where this class was
 * loaded (a checkout's {@code local/target/lib}, {@code cluster/target/classes}, ...) to the project root.
 */
public final class ClusterLayout {
    private ClusterLayout() {
    }

    public static Path flinkLib() {
        String p = System.getProperty("alstream.flink.lib");
        if (p != null) {
            return Path.of(p);
        }
        return projectRoot().map(r -> r.resolve("cluster/target/flink-lib")).orElseThrow(() -> new ClusterException(
                "cannot find the cluster class path (cluster/target/flink-lib): run from a built checkout, or set -Dalstream.flink.lib=DIR"));
    }

    public static Path jobJar() {
        String p = System.getProperty("alstream.job.jar");
        if (p != null) {
            return Path.of(p);
        }
        Path target = projectRoot().map(r -> r.resolve("flink-job/target")).orElseThrow(() -> new ClusterException(
                "cannot find the job jar (flink-job/target/alstream-flink-job-*-job.jar): run from a built checkout, or set -Dalstream.job.jar=FILE"));
        try (Stream<Path> s = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            return s.filter(f -> f.getFileName().toString().matches("alstream-flink-job-.*-job\\.jar")).findFirst()
                    .orElseThrow(() -> new ClusterException("no job jar in " + target + "; build it with `mvn -B -ntp package -DskipTests`"));
        } catch (IOException e) {
            throw new ClusterException("cannot list " + target + ": " + e.getMessage(), e);
        }
    }

    /** The checkout this code runs from: the first folder upwards holding both pom.xml and cluster/. */
    static Optional<Path> projectRoot() {
        try {
            Path here = Path.of(ClusterLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (Path d = here; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("cluster"))
                        && Files.isDirectory(d.resolve("flink-job"))) {
                    return Optional.of(d);
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
