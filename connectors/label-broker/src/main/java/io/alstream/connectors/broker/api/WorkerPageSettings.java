package io.alstream.connectors.broker.api;

import io.alstream.connectors.broker.BrokerConfig;

/**
 * GET /worker/settings.json: how the worker page shows an item. Features of exactly
 * {@code imageWidth × imageHeight} values are drawn as a grey image (row by row, the largest value
 * darkest); both are absent when the broker draws no images.
 */
public class WorkerPageSettings {
    public Integer imageWidth;
    public Integer imageHeight;

    public static WorkerPageSettings of(BrokerConfig.ImageShape image) {
        WorkerPageSettings s = new WorkerPageSettings();
        if (image != null) {
            s.imageWidth = image.width();
            s.imageHeight = image.height();
        }
        return s;
    }
}
