package io.alstream.learner.util;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.LearnerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the device for all kernel and acquisition maths once per JVM (DESIGN 4.5): the first GPU when
 * the PyTorch engine sees CUDA, the CPU otherwise, and logs the choice. {@code -Dalstream.device=cpu}
 * forces the CPU.
 */
public final class ComputeDevice {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeDevice.class);
    private static volatile Device chosen;

    private ComputeDevice() { }

    public static Device get() {
        Device d = chosen;
        if (d == null) {
            synchronized (ComputeDevice.class) {
                if (chosen == null) {
                    chosen = choose();
                }
                d = chosen;
            }
        }
        return d;
    }

    private static Device choose() {
        String forced = System.getProperty("alstream.device", "");
        Engine engine = Engine.getEngine("PyTorch");
        int gpus = "cpu".equalsIgnoreCase(forced) ? 0 : engine.getGpuCount();
        Device d = gpus > 0 ? Device.gpu() : Device.cpu();
        LOG.info("learner maths on {} (engine {} {}, {} GPU(s) visible{})", d, engine.getEngineName(),
                engine.getVersion(), gpus, forced.isEmpty() ? "" : ", alstream.device=" + forced);
        return d;
    }

    public static DataType dataType(LearnerConfig.Precision p) {
        return p == LearnerConfig.Precision.FLOAT32 ? DataType.FLOAT32 : DataType.FLOAT64;
    }
}
