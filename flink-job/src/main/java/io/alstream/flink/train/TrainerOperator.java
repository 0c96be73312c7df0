package io.alstream.flink.train;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.TrainerInput;

/**
 * Runs a {@link TrainerFunction}. The trainer has one key ({@link TrainerFunction#KEY}); this operator makes it the
 * current key before the function's state is initialized, so the function can read its keyed state (the kept-label
 * chunks) at restore and write it at checkpoints, not only while a record or timer is being handled.
 */
public final class TrainerOperator extends KeyedProcessOperator<Byte, TrainerInput, ModelBroadcast> {
    private static final long serialVersionUID = 1L;

    public TrainerOperator(TrainerFunction function) {
        super(function);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        setCurrentKey(TrainerFunction.KEY);
        super.initializeState(context);
    }

    /**
     * After a restore, a processing-time timer for now on the function's own timer service: the restored model is
     * published to the scorers as soon as the task runs, with or without input.
     */
    @Override
    public void open() throws Exception {
        super.open();
        if (((TrainerFunction) userFunction).publishesAtOnce()) {
            InternalTimerService<VoidNamespace> timers =
                    getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
            setCurrentKey(TrainerFunction.KEY);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, getProcessingTimeService().getCurrentProcessingTime());
        }
    }
}
