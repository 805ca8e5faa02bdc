package io.netslim.export;

/** A model the ONNX exporter cannot convert faithfully; the message names the vertex or layer and why. */
public final class UnsupportedModelException extends RuntimeException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
