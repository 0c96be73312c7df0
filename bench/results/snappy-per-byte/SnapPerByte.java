import org.xerial.snappy.SnappyFramedOutputStream;
import java.io.*;
public class SnapPerByte {
    public static void main(String[] a) throws Exception {
        byte[] data = new byte[20 << 20];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < data.length; i += 8) { double d = r.nextGaussian(); long l = Double.doubleToLongBits(d); for (int k = 0; k < 8; k++) data[i + k] = (byte) (l >>> (8 * k)); }
        for (int round = 0; round < 4; round++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream(data.length + 1000);
            long t0 = System.nanoTime();
            try (OutputStream s = new SnappyFramedOutputStream(sink)) { for (byte b : data) s.write(b); }
            long perByte = System.nanoTime() - t0;
            sink = new ByteArrayOutputStream(data.length + 1000);
            t0 = System.nanoTime();
            try (OutputStream s = new SnappyFramedOutputStream(sink)) { s.write(data, 0, data.length); }
            long bulk = System.nanoTime() - t0;
            System.out.printf("round %d: 20 MiB per byte %.0f ms, bulk %.0f ms (%.1fx)%n", round, perByte / 1e6, bulk / 1e6, (double) perByte / bulk);
        }
    }
}
