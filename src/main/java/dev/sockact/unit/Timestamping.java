package dev.sockact.unit;

/** Timestamping=: SO_TIMESTAMP (us) or SO_TIMESTAMPNS (ns). */
public enum Timestamping {
    OFF("off"), MICROSECONDS("us"), NANOSECONDS("ns");

    private final String text;

    Timestamping(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
