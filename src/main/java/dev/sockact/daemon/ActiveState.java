package dev.sockact.daemon;

/** systemd's ActiveState=, the unit-type independent summary of a unit's state. */
public enum ActiveState {
    ACTIVE("active"), RELOADING("reloading"), INACTIVE("inactive"), FAILED("failed"), ACTIVATING("activating"),
    DEACTIVATING("deactivating");

    private final String text;

    ActiveState(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
