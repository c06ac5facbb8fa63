package io.ibex.model;

import java.util.List;

/** Databases with their roles ({@code ibex add dbgroup G db1:source db2:target}). */
public record DbGroup(String name, List<Member> members) {

    public record Member(String db, Role role) {
        @Override
        public String toString() {
            return db + ":" + role.label();
        }
    }

    public List<String> dbsWithRole(Role role) {
        return members.stream().filter(m -> m.role() == role).map(Member::db).toList();
    }
}
