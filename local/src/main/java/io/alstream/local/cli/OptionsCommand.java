package io.alstream.local.cli;

import java.util.Locale;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.flink.config.ConfigOption;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.config.LearnerOptions;
import io.alstream.learner.LearnerConfig;

@Command(name = "options", mixinStandardHelpOptions = true,
        description = "List every job setting (for --config files and --set) with its default.")
final class OptionsCommand implements Runnable {
    @Option(names = "--markdown", description = "Print a Markdown table (the README's).")
    boolean markdown;

    @Override
    public void run() {
        LearnerConfig defaults = LearnerOptions.defaults();
        if (markdown) {
            System.out.println("| setting | default | meaning |");
            System.out.println("|---|---|---|");
        }
        for (ConfigOption<?> o : JobOptions.all()) {
            print(o.key(), o.defaultValue() == null ? "(required)" : o.defaultValue(), o.description());
        }
        for (LearnerOptions.Entry e : LearnerOptions.entries()) {
            print("learner." + e.key(), e.defaultOf().apply(defaults), e.description());
        }
        print("kafka.client.*", "", "Any Kafka client setting for the job's consumers and producers (security, ...).");
        print("registry.client.*", "", "Registry client settings under Confluent's names (schema.registry.ssl.truststore.location, ...).");
    }

    private void print(String key, String def, String doc) {
        if (markdown) {
            System.out.printf(Locale.ROOT, "| `%s` | `%s` | %s |%n", key, def, doc.replace("|", "\\|"));
        } else {
            System.out.printf(Locale.ROOT, "%-36s %-22s %s%n", key, def, doc);
        }
    }
}
