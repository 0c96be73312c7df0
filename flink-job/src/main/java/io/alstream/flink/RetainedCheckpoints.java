package io.alstream.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints a job left in its checkpoint folder ({@code <dir>/<job id>/chk-<n>/_metadata}, kept on
 * cancellation and after a crash): the newest complete one is where a restarted job resumes from. A checkpoint
 * counts once its {@code _metadata} is written, which Flink does last.
 */
public final class RetainedCheckpoints {
    private RetainedCheckpoints() {
    }

    /** The newest complete checkpoint under {@code dir}, of any job, or empty. */
    public static Optional<Path> latest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(dir)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(RetainedCheckpoints::checkpointsOf)
                    .filter(c -> Files.isRegularFile(c.resolve("_metadata")))
                    .max(Comparator.comparing(RetainedCheckpoints::writtenAt));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static FileTime writtenAt(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve("_metadata"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
