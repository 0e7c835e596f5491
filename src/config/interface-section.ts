// Statements inside `interface NAME`: FRR ospfd's per-interface settings
// (RFC 2328 C.3 interface parameters), authentication (RFC 2328 D, RFC 5709)
// and the load-sharing statement.

import { AuthAlgorithms, SimplePasswordMax, maxKeyLength } from '../core/auth.js';
import type { Cursor } from './cursor.js';
import type { Word } from './lexer.js';
import type { InterfaceConfig } from './types.js';
import { useArea, type ParseState } from './state.js';

const IP_OSPF_WORDS = [
  'cost',
  'hello-interval',
  'dead-interval',
  'retransmit-interval',
  'transmit-delay',
  'priority',
  'network',
  'passive',
  'mtu-ignore',
  'area',
  'authentication',
  'authentication-key',
  'message-digest-key',
] as const;

/** FRR ospfd interface commands this project does not implement. */
const IP_OSPF_UNSUPPORTED: Record<string, string> = {
  bfd: 'BFD is not implemented',
  'graceful-restart': 'the graceful restart hello delay is not implemented (graceful restart itself is configured under router ospf)',
  'prefix-suppression': 'prefix suppression (RFC 6860) is not implemented',
  'ldp-sync': 'LDP-IGP synchronisation is not implemented',
  'neighbor-filter': 'neighbor filters are not implemented',
  capability: 'a per-interface opaque capability is not implemented (opaque LSAs are always on)',
};

const INTERFACE_WORDS = ['description', 'ip', 'no', 'ipv6', 'link-detect'];

export function parseInterfaceLine(cur: Cursor, state: ParseState, ifc: InterfaceConfig): void {
  const first = cur.peek();
  if (first === 'description') {
    cur.next();
    ifc.description = cur.rest('description text');
    return;
  }
  if (first === 'no') {
    cur.next();
    parseNoInterface(cur, ifc);
    return;
  }
  if (first === 'ip') {
    cur.next();
    const second = cur.peek();
    if (second === 'ospf') {
      cur.next();
      parseIpOspf(cur, state, ifc);
      return;
    }
    if (second === 'load-sharing') {
      cur.next();
      ifc.loadSharing = cur.keyword(['per-packet', 'per-flow'], 'load-sharing mode');
      cur.end();
      return;
    }
    if (second === 'address') {
      cur.unsupported(
        'addresses are configured on the system (ip address, networkd, ifupdown); for an anycast address use "manage-address" in its anycast block',
      );
    }
    cur.unknown(['ospf', 'load-sharing']);
  }
  if (first === 'ipv6') {
    cur.next();
    const second = cur.peek();
    // Suppressing router advertisements asks for what this daemon does anyway: it never sends them.
    if (second === 'nd' && cur.peek(1) === 'suppress-ra' && cur.peek(2) === undefined) return;
    if (second === 'ospf6') cur.unsupported('OSPFv3 is not implemented');
    cur.unsupported('IPv6 is not implemented');
  }
  // Quagga's `link-detect` asks to follow the carrier state, which this daemon always does.
  if (first === 'link-detect') {
    cur.next();
    cur.end();
    return;
  }
  if (first === 'bandwidth' || first === 'shutdown' || first === 'multicast') {
    cur.unsupported('zebra interface settings are not implemented; configure the interface on the system');
  }
  cur.unknown(INTERFACE_WORDS);
}

function parseIpOspf(cur: Cursor, state: ParseState, ifc: InterfaceConfig): void {
  const word = cur.peek();
  if (word !== undefined && Object.hasOwn(IP_OSPF_UNSUPPORTED, word)) {
    cur.next();
    cur.unsupported(IP_OSPF_UNSUPPORTED[word] as string);
  }
  if (word === undefined) cur.need(`one of ${IP_OSPF_WORDS.join('|')}`);
  cur.next();
  switch (word) {
    case 'cost':
      ifc.cost = cur.int('ip ospf cost', 1, 65535);
      break;
    case 'hello-interval':
      ifc.helloInterval = cur.int('ip ospf hello-interval (seconds)', 1, 65535);
      break;
    case 'dead-interval':
      if (cur.peek() === 'minimal') {
        // FRR fast hellos: dead interval 1 s, M hellos a second (HelloInterval 0 on the wire).
        cur.next();
        const kw = cur.need('"hello-multiplier"');
        if (kw.text !== 'hello-multiplier') cur.fail(kw, `"${kw.text}" is not valid here: expected "hello-multiplier"`);
        ifc.helloMultiplier = cur.int('hello-multiplier', 2, 20);
        delete ifc.deadInterval;
      } else {
        ifc.deadInterval = cur.int('ip ospf dead-interval (seconds)', 1, 65535);
        delete ifc.helloMultiplier;
      }
      break;
    case 'retransmit-interval':
      ifc.retransmitInterval = cur.int('ip ospf retransmit-interval (seconds)', 1, 65535);
      break;
    case 'transmit-delay':
      ifc.transmitDelay = cur.int('ip ospf transmit-delay (seconds)', 1, 65535);
      break;
    case 'priority':
      ifc.priority = cur.int('ip ospf priority', 0, 255);
      break;
    case 'network': {
      const type = cur.need('network type (point-to-point|broadcast)');
      if (type.text === 'non-broadcast' || type.text === 'point-to-multipoint') {
        cur.unsupported('only broadcast and point-to-point networks are implemented');
      }
      if (type.text !== 'point-to-point' && type.text !== 'broadcast') {
        cur.fail(type, `"${type.text}" is not valid here: expected network type (point-to-point|broadcast)`);
      }
      ifc.networkType = type.text;
      break;
    }
    case 'passive':
      ifc.passive = true;
      break;
    case 'mtu-ignore':
      ifc.mtuIgnore = true;
      break;
    case 'area': {
      const at = cur.line.words[cur.pos];
      const area = cur.area();
      useArea(state, cur, at as Word, area);
      ifc.area = area;
      break;
    }
    case 'authentication':
      // RFC 2328 D.3: AuType 1 (bare), 2 (message-digest) or 0 (null) on this interface.
      if (cur.atEnd()) ifc.authentication.type = 'simple';
      else ifc.authentication.type = cur.keyword(['message-digest', 'null'], 'authentication type');
      break;
    case 'authentication-key': {
      const key = cur.need(`authentication key (up to ${SimplePasswordMax} characters)`);
      if (Buffer.byteLength(key.text) > SimplePasswordMax) {
        cur.fail(key, `authentication key is longer than ${SimplePasswordMax} characters (RFC 2328 D.3)`);
      }
      ifc.authentication.simpleKey = key.text;
      break;
    }
    case 'message-digest-key': {
      // FRR's `message-digest-key ID md5 KEY`, with the HMAC-SHA algorithms of RFC 5709 in md5's place.
      const keyId = cur.int('message-digest key id', 1, 255);
      const algorithm = cur.keyword(AuthAlgorithms, 'digest algorithm');
      const max = maxKeyLength(algorithm);
      const name = algorithm === 'md5' ? 'MD5' : algorithm.toUpperCase();
      const key = cur.need(`${name} key (up to ${max} characters)`);
      if (Buffer.byteLength(key.text) > max) cur.fail(key, `${name} key is longer than ${max} characters`);
      const keys = ifc.authentication.keys.filter((k) => k.keyId !== keyId);
      keys.push({ keyId, algorithm, key: key.text });
      keys.sort((a, b) => a.keyId - b.keyId);
      ifc.authentication.keys = keys;
      break;
    }
    default:
      cur.pos--;
      cur.unknown(IP_OSPF_WORDS);
  }
  // FRR's optional trailing A.B.C.D applies a setting to one address of the interface.
  const extra = cur.peek();
  if (extra !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(extra)) {
    cur.next();
    cur.unsupported('per-address interface settings are not implemented');
  }
  cur.end();
}

/** `no ip ospf SETTING [...]`: back to the default; `no ip ospf passive` makes the interface explicitly active. */
function parseNoInterface(cur: Cursor, ifc: InterfaceConfig): void {
  if (cur.peek() === 'link-detect') cur.unsupported('this daemon always follows the carrier state');
  const ip = cur.need('"ip"');
  if (ip.text !== 'ip') cur.unknown(['ip']);
  const ospf = cur.need('"ospf"');
  if (ospf.text !== 'ospf') {
    cur.pos--;
    cur.unknown(['ospf']);
  }
  const word = cur.need(`one of ${IP_OSPF_WORDS.join('|')}`);
  switch (word.text) {
    case 'cost':
      delete ifc.cost;
      break;
    case 'hello-interval':
      delete ifc.helloInterval;
      break;
    case 'dead-interval':
      delete ifc.deadInterval;
      delete ifc.helloMultiplier;
      break;
    case 'retransmit-interval':
      delete ifc.retransmitInterval;
      break;
    case 'transmit-delay':
      delete ifc.transmitDelay;
      break;
    case 'priority':
      delete ifc.priority;
      break;
    case 'network':
      delete ifc.networkType;
      break;
    case 'passive':
      ifc.passive = false;
      break;
    case 'mtu-ignore':
      delete ifc.mtuIgnore;
      break;
    case 'area':
      delete ifc.area;
      break;
    case 'authentication':
      delete ifc.authentication.type;
      break;
    case 'authentication-key':
      delete ifc.authentication.simpleKey;
      break;
    case 'message-digest-key': {
      const keyId = cur.int('message-digest key id', 1, 255);
      ifc.authentication.keys = ifc.authentication.keys.filter((k) => k.keyId !== keyId);
      break;
    }
    default:
      cur.pos--;
      cur.unknown(IP_OSPF_WORDS);
  }
  // FRR accepts the value being removed after the keyword (`no ip ospf cost 10`); it does not matter which.
  cur.pos = cur.line.words.length;
}
