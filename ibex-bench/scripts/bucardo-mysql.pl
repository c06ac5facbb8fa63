#!/usr/bin/env perl
# Bucardo's way of bringing changed rows into MySQL/MariaDB, with Bucardo's own client stack (Perl DBI, DBD::Pg,
# DBD::mysql), as Bucardo.pm 5.x does it in start_main_transaction, disable_triggers, delete_rows and push_rows:
#   the session: sql_mode ANSI, time zone UTC, SERIALIZABLE, foreign_key_checks and unique_checks off;
#   the changed keys deleted statement_chunk_size (6000) at a time: DELETE FROM t WHERE pk IN (...);
#   the source's current rows read by COPY (SELECT * FROM t WHERE pk = ANY('{...}')) TO STDOUT, and each line
#   split on tabs, \N made NULL, and sent as one execute of a prepared single-row INSERT; one commit at the end.
# Timed from the first statement to the commit.
#
# Usage: bucardo-mysql.pl PGPORT PGDB PGUSER MARIADB SOURCE_TABLE TARGET_TABLE KEYS
#   (PostgreSQL at 127.0.0.1:PGPORT, MariaDB at 127.0.0.1:3306 as root; keys 1..KEYS of the integer key aid)
# Prints "SECONDS ROWS".
# Needs: perl with DBI, DBD::Pg and DBD::mysql (Debian: libdbd-pg-perl libdbd-mysql-perl).
use strict;
use warnings;
use DBI;
use Time::HiRes qw(time);

my ($pgport, $pgdb, $pguser, $mdb, $table, $target, $keys) = @ARGV;
die "usage: bucardo-mysql.pl PGPORT PGDB PGUSER MARIADB SOURCE_TABLE TARGET_TABLE KEYS\n" unless defined $keys;
my $chunk = 6000;

my $pg = DBI->connect("dbi:Pg:dbname=$pgdb;host=127.0.0.1;port=$pgport", $pguser, '',
    {AutoCommit => 0, RaiseError => 1, PrintError => 0});
my $my = DBI->connect("dbi:mysql:database=$mdb;host=127.0.0.1;port=3306", 'root', '',
    {AutoCommit => 0, RaiseError => 1, PrintError => 0});

my @cols = map { $_->[0] } @{ $pg->selectall_arrayref(
    "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    undef, $table) };
my @pks = (1 .. $keys);

my $t0 = time;
$my->do("SET sql_mode = 'ANSI'");
$my->do("SET time_zone = '+0:00'");
$my->do("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
$my->do("SET foreign_key_checks = 0");
$my->do("SET unique_checks = 0");

for (my $i = 0; $i < @pks; $i += $chunk) {
    my $last = $i + $chunk - 1 < $#pks ? $i + $chunk - 1 : $#pks;
    $my->do("DELETE FROM $target WHERE aid IN (" . join(',', @pks[$i .. $last]) . ")");
}

my $sth = $my->prepare("INSERT INTO $target (" . join(',', @cols) . ") VALUES (" . join(',', ('?') x @cols) . ")");
$pg->do("COPY (SELECT * FROM $table WHERE aid = ANY('{" . join(',', @pks) . "}')) TO STDOUT");
my $buffer = '';
my $rows = 0;
while ($pg->pg_getcopydata($buffer) >= 0) {
    chomp $buffer;
    my @vals = split /\t/, $buffer, -1;
    $_ = $_ eq '\N' ? undef : $_ for @vals;
    $sth->execute(@vals);
    $rows++;
}
$my->commit;
$pg->rollback;
printf "%.3f %d\n", time - $t0, $rows;
