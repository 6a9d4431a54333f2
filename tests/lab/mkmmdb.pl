#!/usr/bin/perl
# mkmmdb.pl -- the lab's GeoLite2-style databases: who owns each lab network.
#
# usage: mkmmdb.pl ASN_OUT COUNTRY_OUT
#
# Writes a GeoLite2-ASN database (autonomous_system_number, autonomous_system_organization)
# and a GeoLite2-Country database (country.iso_code, country.names.en) for the lab's address
# plan (tests/lab/README.md). Only documentation ranges and documentation ASNs (RFC 5398):
#
#   ISP          203.0.113.0/24  2001:db8:1::/48   AS64496 "Example ISP"         DE
#   VPN          198.51.100.0/24 2001:db8:2::/48   AS64497 "Example VPN"         NL
#   public DNS   192.0.2.0/24    2001:db8:3::/48   AS64498 "Example Public DNS"  US
#
# Everything else (the LAN and the tunnel's inner IPv4 in 198.18.0.0/15, the test server)
# is deliberately absent: a lookup there finds nothing, as for private space on the internet.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

die "usage: mkmmdb.pl ASN_OUT COUNTRY_OUT\n" unless @ARGV == 2;
my ($asn_out, $country_out) = @ARGV;

my @networks = (
	[ '203.0.113.0/24',  64496, 'Example ISP',        'DE', 'Germany' ],
	[ '2001:db8:1::/48', 64496, 'Example ISP',        'DE', 'Germany' ],
	[ '198.51.100.0/24', 64497, 'Example VPN',        'NL', 'Netherlands' ],
	[ '2001:db8:2::/48', 64497, 'Example VPN',        'NL', 'Netherlands' ],
	[ '192.0.2.0/24',    64498, 'Example Public DNS', 'US', 'United States' ],
	[ '2001:db8:3::/48', 64498, 'Example Public DNS', 'US', 'United States' ],
);

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	country                        => 'map',
	registered_country             => 'map',
	iso_code                       => 'utf8_string',
	names                          => 'map',
	en                             => 'utf8_string',
);

sub tree {
	my ($type, $desc) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version            => 6,
		record_size           => 24,
		database_type         => $type,
		languages             => ['en'],
		description           => { en => $desc },
		# IPv4 lookups in an IPv6 tree go through ::a.b.c.d (libmaxminddb) and the
		# ::ffff:0:0/96 and 2002::/16 aliases; the lab ranges are documentation ranges,
		# which the writer drops unless told to keep them.
		alias_ipv6_to_ipv4       => 1,
		remove_reserved_networks => 0,
		map_key_type_callback    => sub { $types{ $_[0] } },
	);
}

my $asn = tree('GeoLite2-ASN', 'dnsleak lab ASN database (documentation ranges only)');
my $cc = tree('GeoLite2-Country', 'dnsleak lab country database (documentation ranges only)');
for my $n (@networks) {
	my ($net, $as, $org, $iso, $name) = @$n;
	$net = "::$net" if $net !~ /:/;    # IPv4 as ::a.b.c.d/(96+len) in the IPv6 tree
	$net =~ s{/(\d+)$}{'/' . ($1 + 96)}e if $net =~ /^::\d/;
	$asn->insert_network($net, {
		autonomous_system_number       => $as,
		autonomous_system_organization => $org,
	});
	my $c = { iso_code => $iso, names => { en => $name } };
	$cc->insert_network($net, { country => $c, registered_country => $c });
}

for my $pair ([ $asn, $asn_out ], [ $cc, $country_out ]) {
	my ($t, $file) = @$pair;
	open(my $fh, '>:raw', "$file.tmp") or die "mkmmdb.pl: $file.tmp: $!\n";
	$t->write_tree($fh);
	close($fh) or die "mkmmdb.pl: $file.tmp: $!\n";
	rename("$file.tmp", $file) or die "mkmmdb.pl: $file: $!\n";
}
