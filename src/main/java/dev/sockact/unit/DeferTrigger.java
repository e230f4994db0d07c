package dev.sockact.unit;

/** DeferTrigger= (systemd 258): whether activation waits for conflicting jobs instead of failing. */
public enum DeferTrigger {
    NO("no"), YES("yes"), PATIENT("patient");

    private final String text;

    DeferTrigger(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
