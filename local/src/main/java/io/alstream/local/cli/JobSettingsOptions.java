package io.alstream.local.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import picocli.CommandLine.Option;

import io.alstream.flink.config.JobConfig;

/** {@code --config FILE} and {@code --set key=value}: the job's settings, as `alstream options` lists them. */
final class JobSettingsOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "A .properties file of job settings (see `alstream options`).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "One job setting; repeatable; wins over --config.")
    List<String> sets = new ArrayList<>();

    Map<String, String> settings() {
        Map<String, String> m = new TreeMap<>();
        if (configFile != null) {
            m.putAll(JobConfig.readFile(configFile));
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set wants key=value, got '" + s + "'");
            }
            m.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        return m;
    }
}
