/** Networking and domain join: TCPIP, DNS-Client, UnattendedJoin. */
import { OFFLINE, PE, SPECIALIZE, bool, box, component, credentials, int, list, str } from '../dsl.js';

const ipSettings = (name: string) => box(name, [bool('DhcpEnabled'), int('Metric', 0, 9999), bool('RouterDiscoveryEnabled')]);

/** Microsoft-Windows-TCPIP. */
export const TCPIP = component('Microsoft-Windows-TCPIP', [
  bool('IcmpRedirectsEnabled', { passes: [PE, SPECIALIZE] }),
  list(
    'Interfaces',
    {
      name: 'Interface',
      key: 'Identifier',
      children: [
        str('Identifier'),
        ipSettings('Ipv4Settings'),
        ipSettings('Ipv6Settings'),
        list('UnicastIpAddresses', { name: 'IpAddress', key: 'wcm:keyValue', children: [] }),
        list('Routes', { name: 'Route', key: 'Identifier', children: [str('Identifier'), int('Metric', 0, 9999), str('NextHopAddress'), str('Prefix')] }),
      ],
    },
    { passes: [PE, SPECIALIZE] },
  ),
]);

/** Microsoft-Windows-DNS-Client. */
export const DNS_CLIENT = component('Microsoft-Windows-DNS-Client', [
  str('DNSDomain', { passes: [PE, SPECIALIZE] }),
  list('DNSSuffixSearchOrder', { name: 'DomainName', key: 'wcm:keyValue', children: [] }, { passes: [PE, SPECIALIZE] }),
  int('DomainNameDevolutionLevel', 0, 255, { passes: [PE, SPECIALIZE] }),
  list(
    'Interfaces',
    {
      name: 'Interface',
      key: 'Identifier',
      children: [
        str('Identifier'),
        str('DNSDomain'),
        list('DNSServerSearchOrder', { name: 'IpAddress', key: 'wcm:keyValue', children: [] }),
        bool('DisableDynamicUpdate'),
        bool('EnableAdapterDomainNameRegistration'),
      ],
    },
    { passes: [PE, SPECIALIZE] },
  ),
  bool('UseDomainNameDevolution', { passes: [PE, SPECIALIZE] }),
]);

/** Microsoft-Windows-UnattendedJoin. */
export const UNATTENDED_JOIN = component('Microsoft-Windows-UnattendedJoin', [
  box(
    'Identification',
    [
      credentials(),
      bool('DebugJoin'),
      str('DebugJoinOnlyOnThisError'),
      str('JoinDomain'),
      str('JoinWorkgroup'),
      str('MachineObjectOU'),
      str('MachinePassword', { secret: true }),
      box('Provisioning', [str('AccountData', { secret: true })]),
      int('TimeoutPeriodInMinutes', 1, 1440),
      bool('UnsecureJoin'),
    ],
    { passes: [SPECIALIZE] },
  ),
  box('OfflineIdentification', [box('Provisioning', [str('AccountData', { secret: true })])], { passes: [OFFLINE] }),
]);
