package io.alstream.flink.io;

import java.util.HashMap;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.registry.RegistryClientConfig;
import io.alstream.connectors.registry.RegistryUnavailableException;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.connectors.serde.WireFormatException;
import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.validate.DecoderFactory;
import io.alstream.flink.validate.RecordDecoder;

/**
 * Decoders and encoders for the Confluent wire format, through the schema registry. Serializable
 * settings only: each task builds its own registry client in {@code open()}.
 */
public final class RegistryCodecs implements DecoderFactory, RecordEncoder.Factory {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryCodecs.class);

    private final HashMap<String, String> clientConfig;
    private final boolean autoRegister;

    public RegistryCodecs(Map<String, String> clientConfig, boolean autoRegister) {
        this.clientConfig = new HashMap<>(clientConfig);
        this.autoRegister = autoRegister;
    }

    public static RegistryCodecs from(JobConfig config) {
        Map<String, String> c = new HashMap<>(config.registryClientSettings());
        c.put(RegistryClientConfig.URL, config.get(JobOptions.REGISTRY_URL));
        String auth = config.get(JobOptions.REGISTRY_BASIC_AUTH);
        if (!auth.isBlank()) {
            c.put(RegistryClientConfig.BASIC_AUTH_USER_INFO, auth);
        }
        return new RegistryCodecs(c, config.get(JobOptions.REGISTRY_AUTO_REGISTER));
    }

    SchemaRegistryClient client() {
        return SchemaRegistryClient.fromConfig(clientConfig);
    }

    /** A client of the job's registry with the job's client settings (URL, auth, TLS), for readers beside the job. */
    public SchemaRegistryClient newClient() {
        return client();
    }

    @Override
    public <T extends SpecificRecord> RecordDecoder<T> decoder(Class<T> type) {
        return new Decoder<>(this, type);
    }

    @Override
    public <T extends SpecificRecord> RecordEncoder<T> encoder(Class<T> type) {
        return new Encoder<>(this, type);
    }

    static final class Decoder<T extends SpecificRecord> implements RecordDecoder<T> {
        private static final long serialVersionUID = 1L;
        /** A registry outage is waited out this long per record before the task fails and restarts. */
        private static final long UNAVAILABLE_WAIT_MS = 30_000;
        private final RegistryCodecs settings;
        private final Class<T> type;
        private transient AvroWireCodec<T> codec;

        Decoder(RegistryCodecs settings, Class<T> type) {
            this.settings = settings;
            this.type = type;
        }

        @Override
        public void open() {
            codec = AvroWireCodec.specific(type, settings.client());
        }

        @Override
        public T decode(String topic, byte[] value) throws DecodeFailure {
            long deadline = System.currentTimeMillis() + UNAVAILABLE_WAIT_MS;
            while (true) {
                try {
                    return codec.decode(value);
                } catch (WireFormatException e) {
                    throw new DecodeFailure(e.code(), e.getMessage(), e);
                } catch (RegistryUnavailableException e) {
                    // not the record's fault: wait, then fail the task (it restarts from the checkpoint)
                    if (System.currentTimeMillis() > deadline) {
                        throw e;
                    }
                    LOG.warn("schema registry unreachable while decoding {} from {}; retrying: {}", type.getSimpleName(), topic, e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }

    static final class Encoder<T extends SpecificRecord> implements RecordEncoder<T> {
        private static final long serialVersionUID = 1L;
        private final RegistryCodecs settings;
        private final Class<T> type;
        private transient AvroWireCodec<T> codec;

        Encoder(RegistryCodecs settings, Class<T> type) {
            this.settings = settings;
            this.type = type;
        }

        @Override
        public void open() {
            codec = AvroWireCodec.specific(type, settings.client()).withAutoRegister(settings.autoRegister);
        }

        @Override
        public byte[] encode(String topic, T record) {
            return codec.encode(topic, record);
        }
    }
}
