package dev.sockact.unit.parse;

import dev.sockact.unit.ConditionKind;
import dev.sockact.unit.UnitInfo;

/** The [Unit] and [Install] tables, shared by every unit type. */
public final class UnitSectionDirectives {

    public static final DirectiveTable<UnitInfo.Builder> UNIT = DirectiveTable.<UnitInfo.Builder>section("Unit")
            .one("Description", Values.stringPrintf(), UnitInfo.Builder::description)
            .listOfMany("Documentation", ListParsers.documentationUrls(), UnitInfo.Builder::documentation)
            .appendOnly("Requires", ListParsers.unitNames(), UnitInfo.Builder::requires)
            .appendOnly("Requisite", ListParsers.unitNames(), UnitInfo.Builder::requisite)
            .appendOnly("Wants", ListParsers.unitNames(), UnitInfo.Builder::wants)
            .appendOnly("BindsTo", ListParsers.unitNames(), UnitInfo.Builder::bindsTo)
            .appendOnly("BindTo", ListParsers.unitNames(), UnitInfo.Builder::bindsTo)
            .appendOnly("PartOf", ListParsers.unitNames(), UnitInfo.Builder::partOf)
            .appendOnly("Conflicts", ListParsers.unitNames(), UnitInfo.Builder::conflicts)
            .appendOnly("Before", ListParsers.unitNames(), UnitInfo.Builder::before)
            .appendOnly("After", ListParsers.unitNames(), UnitInfo.Builder::after)
            .appendOnly("OnFailure", ListParsers.unitNames(), UnitInfo.Builder::onFailure)
            .appendOnly("JoinsNamespaceOf", ListParsers.unitNames(), UnitInfo.Builder::joinsNamespaceOf)
            .one("DefaultDependencies", Values.bool(), UnitInfo.Builder::defaultDependencies)
            .one("StopWhenUnneeded", Values.bool(), UnitInfo.Builder::stopWhenUnneeded)
            .one("RefuseManualStart", Values.bool(), UnitInfo.Builder::refuseManualStart)
            .one("RefuseManualStop", Values.bool(), UnitInfo.Builder::refuseManualStop)
            .one("SuccessAction", Values.string(), UnitInfo.Builder::successAction)
            .notActedOn("SuccessAction")
            // StartLimitInterval= is the old spelling systemd still accepts; 0 disables the limit.
            .one("StartLimitIntervalSec", Values.sec(), UnitInfo.Builder::startLimitInterval)
            .one("StartLimitInterval", Values.sec(), UnitInfo.Builder::startLimitInterval)
            .one("StartLimitBurst", Values.unsigned(), UnitInfo.Builder::startLimitBurst)
            .include(UnitSectionDirectives::conditions)
            .unsupported(Systemd252Keys.of("Unit"))
            .build();

    public static final DirectiveTable<UnitInfo.Builder> INSTALL =
            DirectiveTable.<UnitInfo.Builder>section("Install")
                    .appendOnly("WantedBy", ListParsers.unitNames(), UnitInfo.Builder::wantedBy)
                    .appendOnly("RequiredBy", ListParsers.unitNames(), UnitInfo.Builder::requiredBy)
                    .appendOnly("Alias", ListParsers.unitNames(), UnitInfo.Builder::alias)
                    .appendOnly("Also", ListParsers.unitNames(), UnitInfo.Builder::also)
                    .one("DefaultInstance", Values.stringPrintf(), UnitInfo.Builder::defaultInstance)
                    .unsupported(Systemd252Keys.of("Install"))
                    .build();

    private UnitSectionDirectives() {
    }

    /** A Condition<kind>= and an Assert<kind>= row for every kind sockact tests. */
    private static DirectiveTable.Builder<UnitInfo.Builder> conditions(DirectiveTable.Builder<UnitInfo.Builder> rows) {
        for (ConditionKind kind : ConditionKind.values()) {
            rows.custom(kind.key(false), ConditionParser.handler(kind, false));
            rows.custom(kind.key(true), ConditionParser.handler(kind, true));
        }
        return rows;
    }
}
