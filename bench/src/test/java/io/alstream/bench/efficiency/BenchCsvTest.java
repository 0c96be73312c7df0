package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad CSVs given to {@code bench --data csv}: each stops the command before any run with exit code 2 and one
 * sentence naming the file, the line and the column.
 */
class BenchCsvTest {
    @TempDir
    Path dir;

    /** 40 good rows: two features that vary, label 0/1/2 in the last column. */
    private static String good() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append(i * 0.5).append(',').append(40 - i).append(',').append(i % 3).append('\n');
        }
        return sb.toString();
    }

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** Runs the command on the file; returns its standard error after asserting exit code 2. */
    private String refused(Path csv, String... more) {
        StringWriter err = new StringWriter();
        String[] args = new String[6 + more.length];
        args[0] = "--data";
        args[1] = "csv";
        args[2] = "--csv";
        args[3] = csv.toString();
        args[4] = "--out";
        args[5] = dir.resolve("report").toString();
        System.arraycopy(more, 0, args, 6, more.length);
        int exit = BenchCommand.execute(new PrintWriter(err, true), args);
        String msg = err.toString().strip();
        assertEquals(2, exit, "exit code for " + csv.getFileName() + ": " + msg);
        assertTrue(msg.startsWith("alstream bench: "), msg);
        assertTrue(msg.contains(csv.toString()), "names the file: " + msg);
        assertEquals(1, msg.lines().count(), "one line: " + msg);
        assertFalse(Files.exists(dir.resolve("report")), "no report for a refused file");
        return msg;
    }

    @Test
    void aGoodFileIsReadWithItsClasses() throws Exception {
        LabelledDataset d = BenchCsv.read(file("good.csv", good()), -1);
        assertEquals(40, d.size());
        assertEquals(2, d.featureDim());
        assertEquals(3, d.numClasses());
        assertArrayEquals(new float[] {1.5f, 37f}, d.features()[3]);
        assertEquals(0, d.labels()[3]);
        // the label in the first column
        LabelledDataset first = BenchCsv.read(file("first.csv", "1,0.5,2\n0,0.25,3\n"), 0);
        assertArrayEquals(new int[] {1, 0}, first.labels());
        assertArrayEquals(new float[] {0.25f, 3f}, first.features()[1]);
    }

    @Test
    void aConstantColumnIsNamed() throws Exception {
        String text = good().replaceAll("(?m)^([^,]*),([^,]*),", "$1,7,");
        String msg = refused(file("constant.csv", text), "--labels", "2");
        assertTrue(msg.contains("column 1 is constant (7.0 on every line, 1 to 40)"), msg);
    }

    @Test
    void aNonNumericCellIsNamedWithItsLineAndColumn() throws Exception {
        String text = good().replace("\n5.0,", "\n5.0x,");
        String msg = refused(file("text.csv", text), "--labels", "2");
        assertTrue(msg.contains("line 11, column 0: '5.0x' is not a finite number"), msg);
        // a header line is the same problem, said so
        String header = refused(file("header.csv", "width,height,class\n" + good()), "--labels", "2");
        assertTrue(header.contains("line 1, column 0: 'width' is not a finite number (the file must have no header line)"), header);
        String nan = refused(file("nan.csv", good().replace("\n3.0,", "\nNaN,")), "--labels", "2");
        assertTrue(nan.contains("line 7, column 0: 'NaN' is not a finite number"), nan);
    }

    @Test
    void aLabelOutOfRangeIsNamed() throws Exception {
        String negative = refused(file("negative.csv", good().replace("\n2.0,36,1\n", "\n2.0,36,-1\n")), "--labels", "2");
        assertTrue(negative.contains("line 5, column 2 (the label column): label '-1' is out of range"), negative);
        String fraction = refused(file("fraction.csv", good().replace("\n2.0,36,1\n", "\n2.0,36,1.5\n")), "--labels", "2");
        assertTrue(fraction.contains("line 5, column 2 (the label column): label '1.5' is out of range"), fraction);
        String huge = refused(file("huge.csv", good().replace("\n2.0,36,1\n", "\n2.0,36,5000\n")), "--labels", "2");
        assertTrue(huge.contains("label '5000' is out of range: labels must be whole class numbers from 0 to 999"), huge);
        String column = refused(file("column.csv", good()), "--labels", "2", "--label-column", "3");
        assertTrue(column.contains("--label-column 3 is outside the 3 columns (0 to 2) of " + dir.resolve("column.csv") + " line 1"),
                column);
        String ragged = refused(file("ragged.csv", good().replace("\n2.0,36,1\n", "\n2.0,1\n")), "--labels", "2");
        assertTrue(ragged.contains("line 5 has 2 columns where line 1 has 3"), ragged);
    }

    @Test
    void tooFewRowsForTheLabelCountsIsNamed() throws Exception {
        // 40 rows, 32 streamed at the default 0.2 held out; budget 0.5 allows 16 labels
        String msg = refused(file("small.csv", good()), "--labels", "10,20", "--budget", "0.5");
        assertTrue(msg.contains("has too few rows for 20 labels: 40 rows, 32 of them streamed after holding out 0.20, "
                + "and a budget of 0.500 of the streamed events allows at most 16 labels"), msg);
    }

    @Test
    void oneClassOnlyIsNamed() throws Exception {
        String text = good().replaceAll("(?m),\\d+$", ",4");
        String msg = refused(file("oneclass.csv", text), "--labels", "2");
        assertTrue(msg.contains("has one class only: column 2 (the label column) is 4 on every line, 1 to 40"), msg);
    }

    @Test
    void aMissingFileAndABadScaleAreRefused() throws Exception {
        refused(dir.resolve("absent.csv"), "--labels", "2");
        String scale = refused(file("scale.csv", good()), "--labels", "2", "--scale", "0");
        assertTrue(scale.contains("--scale must be a positive number"), scale);
    }
}
