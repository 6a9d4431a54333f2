#!/usr/bin/env perl
# mkmmdb.pl -- write the tiny MMDB files of the enrichment tests (enrich.sh).
#
#   mkmmdb.pl asn|country|both OUT
#
# asn:     autonomous_system_number / _organization (GeoLite2-ASN layout)
# country: country.iso_code (GeoLite2-Country layout)
# both:    all of them in one file
# Networks: 127.0.0.0/8 is AS64496 "Example ISP" in DE; ::1/128 is AS64497 "Example VPN" in NL.
# Both are reserved networks, which the writer drops unless told not to.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my ($kind, $out) = @ARGV;
die "usage: mkmmdb.pl asn|country|both OUT\n"
    unless defined $out && $kind =~ /^(asn|country|both)$/;

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	country                        => 'map',
	iso_code                       => 'utf8_string',
);

my %nets = (
	'127.0.0.0/8' => [ 64496, 'Example ISP', 'DE' ],
	'::1/128'     => [ 64497, 'Example VPN', 'NL' ],
);

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 24,
	database_type            => "dnsleak-test-$kind",
	languages                => ['en'],
	description              => { en => 'dnsleak integration test data' },
	map_key_type_callback    => sub { $types{ $_[0] } },
	remove_reserved_networks => 0,
);

for my $net (sort keys %nets) {
	my ($asn, $org, $cc) = @{ $nets{$net} };
	my %rec;
	if ($kind ne 'country') {
		$rec{autonomous_system_number}       = $asn;
		$rec{autonomous_system_organization} = $org;
	}
	$rec{country} = { iso_code => $cc } if $kind ne 'asn';
	$tree->insert_network($net, \%rec);
}

open(my $fh, '>:raw', $out) or die "$out: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out: $!\n";
