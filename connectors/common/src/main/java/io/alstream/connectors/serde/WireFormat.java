package io.alstream.connectors.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 is the magic byte 0, bytes 1-4 the schema id (big-endian), then the
 * Avro binary encoding of the datum under that schema.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** The schema id named in the header. */
    public static int schemaId(byte[] data) {
        checkHeader(data);
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    static void checkHeader(byte[] data) {
        if (data == null) {
            throw new WireFormatException(WireFormatException.Reason.TOO_SHORT, -1, "no bytes (null value)", null);
        }
        if (data.length < HEADER_SIZE) {
            throw new WireFormatException(WireFormatException.Reason.TOO_SHORT, -1,
                    data.length + " byte(s), the header alone takes " + HEADER_SIZE, null);
        }
        if (data[0] != MAGIC_BYTE) {
            throw new WireFormatException(WireFormatException.Reason.BAD_MAGIC_BYTE, -1,
                    "first byte is " + (data[0] & 0xff) + ", expected " + MAGIC_BYTE, null);
        }
    }

    static void writeHeader(ByteBuffer out, int schemaId) {
        out.put(MAGIC_BYTE).putInt(schemaId);
    }
}
