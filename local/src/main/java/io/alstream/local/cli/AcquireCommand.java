package io.alstream.local.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.alstream.learner.AcquireTool;

@Command(name = "acquire", mixinStandardHelpOptions = true,
        description = "Score points from posterior samples of class probabilities, for users with their own models. "
                + "Input: JSON {\"probs\": [N][S][K]} (N points, S samples, K classes); output: each point's score per "
                + "function, as JSON.")
final class AcquireCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "Input JSON; - or absent = standard input.")
    Path input;

    @Option(names = {"-f", "--functions"}, split = ",", defaultValue = "balent,bald,entropy,margin,least_confident,variation_ratios,mean_std",
            description = "Acquisition functions (default ${DEFAULT-VALUE}).")
    List<String> functions;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for random (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        try (Reader in = input == null || input.toString().equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(input);
             Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) {
            AcquireTool.run(in, functions, seed, out);
            out.write('\n');
        }
        return 0;
    }
}
