import t from 'tap';
import {
  parseSymbolPath, symbolPathFromEnvironment, expandSymbolPath, appendSymbolPath, symfixPath, defaultSymbolCache, downstreamStores, MICROSOFT_SYMBOL_SERVER,
} from '../../src/symbols/symbol-path.js';

const D = '/home/u/.cache/dumpdbg/sym';
const opts = { defaultCache: D };

t.test('plain directories, including Windows paths', async (t) => {
  t.same(parseSymbolPath('C:\\syms;\\\\server\\share\\symbols; /opt/syms ;;', opts), [
    { kind: 'local', text: 'C:\\syms', path: 'C:\\syms' },
    { kind: 'local', text: '\\\\server\\share\\symbols', path: '\\\\server\\share\\symbols' },
    { kind: 'local', text: '/opt/syms', path: '/opt/syms' },
  ]);
  t.same(parseSymbolPath('', opts), []);
});

t.test('srv* chains', async (t) => {
  t.same(parseSymbolPath('srv*c:\\localsymbols*https://msdl.microsoft.com/download/symbols', opts), [{
    kind: 'server', text: 'srv*c:\\localsymbols*https://msdl.microsoft.com/download/symbols', dll: 'symsrv.dll',
    stores: [{ kind: 'dir', path: 'c:\\localsymbols', isDefault: false }, { kind: 'http', url: MICROSOFT_SYMBOL_SERVER }],
  }]);
  // srv* alone: Microsoft server with the default cache
  t.same(parseSymbolPath('srv*', opts)[0], {
    kind: 'server', text: 'srv*', dll: 'symsrv.dll',
    stores: [{ kind: 'dir', path: D, isDefault: true }, { kind: 'http', url: MICROSOFT_SYMBOL_SERVER }],
  });
  // srv**URL: empty element = default downstream store
  t.same((parseSymbolPath('SRV**http://sym.example.com/sym/', opts)[0] as { stores: unknown }).stores, [
    { kind: 'dir', path: D, isDefault: true }, { kind: 'http', url: 'http://sym.example.com/sym' },
  ]);
  // srv*URL: HTTP needs a downstream store, the default one is implied
  t.same((parseSymbolPath('srv*https://sym.example.com', opts)[0] as { stores: unknown }).stores, [
    { kind: 'dir', path: D, isDefault: true }, { kind: 'http', url: 'https://sym.example.com' },
  ]);
  // srv*share: a single file-share store, no caching
  t.same((parseSymbolPath('srv*\\\\build\\symbols', opts)[0] as { stores: unknown }).stores, [
    { kind: 'dir', path: '\\\\build\\symbols', isDefault: false },
  ]);
  // cascading: two downstream stores
  t.same((parseSymbolPath('srv*/c1*/c2*https://s.example/x', opts)[0] as { stores: unknown }).stores, [
    { kind: 'dir', path: '/c1', isDefault: false }, { kind: 'dir', path: '/c2', isDefault: false }, { kind: 'http', url: 'https://s.example/x' },
  ]);
  // symsrv*symsrv.dll*… is the long form
  const e = parseSymbolPath('symsrv*symsrv.dll*/c1*https://s.example', opts)[0];
  t.equal(e?.kind, 'server');
  t.equal(e?.kind === 'server' && e.dll, 'symsrv.dll');
  t.same(e?.kind === 'server' && e.stores.map((s) => s.kind), ['dir', 'http']);
  // elements after an HTTP store cannot be used
  t.same((parseSymbolPath('srv*/c1*https://a.example*/c2', opts)[0] as { stores: unknown[] }).stores.length, 2);
});

t.test('cache* applies to entries to its right', async (t) => {
  const els = parseSymbolPath('srv*https://before.example;cache*/mycache;/plain;srv*https://after.example;cache*', opts);
  t.same(els.map((e) => e.kind), ['server', 'cache', 'local', 'server', 'cache']);
  t.same((els[0] as { stores: unknown }).stores, [{ kind: 'dir', path: D, isDefault: true }, { kind: 'http', url: 'https://before.example' }]);
  t.same(els[1], { kind: 'cache', text: 'cache*/mycache', path: '/mycache', isDefault: false });
  t.same((els[3] as { stores: unknown }).stores, [{ kind: 'dir', path: '/mycache', isDefault: false }, { kind: 'http', url: 'https://after.example' }]);
  t.same(els[4], { kind: 'cache', text: 'cache*', path: D, isDefault: true });
  t.same(downstreamStores(els), [D, '/mycache']);
});

t.test('expansion, append, .symfix', async (t) => {
  // windbg-commands.md §8.5
  t.equal(expandSymbolPath('srv*'), 'cache*;SRV*https://msdl.microsoft.com/download/symbols');
  t.equal(expandSymbolPath('C:\\a;srv*;'), 'C:\\a;cache*;SRV*https://msdl.microsoft.com/download/symbols');
  t.equal(expandSymbolPath('srv*c:\\s*https://x'), 'srv*c:\\s*https://x');
  t.equal(appendSymbolPath('srv*', '/more'), 'srv*;/more');
  t.equal(appendSymbolPath('', '/more'), '/more');
  t.equal(appendSymbolPath('a;', ';b'), 'a;b');
  t.equal(symfixPath(), 'srv*');
  t.equal(symfixPath('/tmp/c'), `srv*/tmp/c*${MICROSOFT_SYMBOL_SERVER}`);
  t.same(parseSymbolPath(symfixPath('/tmp/c'), opts)[0]?.kind, 'server');
});

t.test('default cache location', async (t) => {
  t.equal(defaultSymbolCache({ XDG_CACHE_HOME: '/x/cache' }, 'linux'), '/x/cache/dumpdbg/sym');
  t.match(defaultSymbolCache({}, 'linux'), /\/\.cache\/dumpdbg\/sym$/);
  t.equal(defaultSymbolCache({ ProgramData: 'D:\\PD' }, 'win32'), 'D:\\PD\\dbg\\sym');
  t.equal(defaultSymbolCache({}, 'win32'), 'C:\\ProgramData\\dbg\\sym');
});

t.test('environment', async (t) => {
  t.equal(symbolPathFromEnvironment({ _NT_SYMBOL_PATH: 'srv*', _NT_ALT_SYMBOL_PATH: 'C:\\private;' }), 'C:\\private;srv*');
  t.equal(symbolPathFromEnvironment({ _NT_SYMBOL_PATH: ' /syms ' }), '/syms');
  t.equal(symbolPathFromEnvironment({}), '');
});
