package io.alstream.local.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code alstream} command line. Every subcommand answers {@code --help}.
 */
@Command(name = "alstream", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Streaming online active learner: Kafka in, label requests out, labels folded back into the model. ",
        subcommands = {DemoCommand.class, RunCommand.class, ClusterCommand.class, RegistryCommand.class, BrokerCommand.class,
                AcquireCommand.class, OptionsCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Start with:  alstream demo        (everything embedded, no external services)"})
public final class AlstreamCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // before any HTTP server of this process (Flink's metrics endpoint included) reads the JDK's settings
        io.alstream.connectors.limits.HttpLimits.install();
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        return new CommandLine(new AlstreamCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException) {
                        // bad settings: a sentence, not a stack trace
                        cmd.getErr().println(cmd.getColorScheme().errorText("alstream " + cmd.getCommandName() + ": " + ex.getMessage()));
                        return 2;
                    }
                    throw ex;
                })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
