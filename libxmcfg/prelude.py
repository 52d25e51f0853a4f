# SPDX-License-Identifier: GPL-2.0-or-later
# prelude.py: the trusted Python code the sandboxed config evaluator loads
# before it confines itself: a fast screen of the compiled config (with the
# precise AST check behind it), assignment lines, xm_vars, restricted
# builtins and the evaluation of one config (_run). Built into py.c as
# marshalled code (gen-prelude.py), so the child does not compile it.
import builtins as _b
import _string
# gen-prelude.py defines _OPMAP in the marshalled code it builds (the same
# Python version), which saves importing opcode in every child.
try:
    _OPMAP
except NameError:
    import opcode as _op
    _OPMAP = _OPMAP
_CO = type(compile('', '', 'exec'))
_SLOW_OPS = frozenset(_OPMAP[n] for n in ('IMPORT_NAME', 'IMPORT_FROM', 'IMPORT_STAR', 'LOAD_BUILD_CLASS', 'MATCH_CLASS', 'MATCH_MAPPING', 'MATCH_SEQUENCE', 'MATCH_KEYS') if n in _OPMAP)
_STORE_NAME = _OPMAP['STORE_NAME']
_EXT_ARG = _OPMAP['EXTENDED_ARG']
_LOADS = {_OPMAP['LOAD_NAME']: 0, _OPMAP['LOAD_GLOBAL']: 1}
_SAFE_NAMES = ('range', 'str', 'int', 'len', 'list', 'dict', 'tuple', 'bool', 'float', 'min', 'max', 'sorted', 'enumerate', 'zip', 'abs', 'isinstance', 'True', 'False', 'None', 'map', 'filter', 'sum', 'any', 'all', 'reversed', 'round', 'repr', 'chr', 'ord', 'hex', 'oct', 'set', 'frozenset', 'divmod', 'pow', 'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'NameError', 'ZeroDivisionError', 'ArithmeticError', 'LookupError', 'AssertionError', 'RuntimeError', 'StopIteration')
_SAFE = {k: getattr(_b, k) for k in _SAFE_NAMES}
_BAD_NAMES = frozenset(('open', 'exec', 'eval', 'compile', '__import__', 'globals', 'locals', 'vars', 'getattr', 'setattr', 'delattr', 'hasattr', 'input', 'breakpoint', 'help', 'dir', 'type', 'object', 'super', 'memoryview', 'classmethod', 'staticmethod', 'property', 'exit', 'quit', 'id', 'issubclass', 'bytearray', 'bytes', 'print'))
_BAD_PREFIX = ('_', 'gi_', 'cr_', 'ag_', 'f_', 'tb_', 'co_', 'func_', 'im_', 'mro')
# Attributes resolved by name at run time, from a format string: the
# names of the methods that do it; their loads are rewritten to _fmt_attr.
_FMT_NAMES = frozenset(('format', 'format_map'))
class _Forbidden(Exception):
    pass
class _FieldForbidden(BaseException):
    # a format field naming a forbidden attribute (not an Exception, so a
    # config's own "except Exception" does not turn it into a value)
    pass
def _fmt_check(s, depth=0):
    # The rule of _check for the fields of a format string: no attribute
    # whose name starts with one of _BAD_PREFIX, nested specs included.
    if depth > 2:
        raise ValueError('Max string recursion exceeded')
    for _lit, field, spec, _conv in _string.formatter_parser(s):
        if field:
            _first, rest = _string.formatter_field_name_split(field)
            for is_attr, key in rest:
                if is_attr and key.startswith(_BAD_PREFIX):
                    raise _FieldForbidden(key)
        if spec:
            _fmt_check(spec, depth + 1)
class _FmtUnbound:
    # str.format / str.format_map taken from the class: checks its first
    # argument; looks like the method it wraps.
    __slots__ = ('_m',)
    def __init__(self, m):
        self._m = m
    def __call__(self, s, *args, **kwargs):
        if isinstance(s, str):
            _fmt_check(s)
        return self._m(s, *args, **kwargs)
    def __repr__(self):
        return repr(self._m)
def _fmt_attr(obj, name):
    # obj.format / obj.format_map in config code: the format string is
    # checked before str's own method can resolve its fields.
    m = getattr(obj, name)
    if isinstance(obj, str):
        _fmt_check(obj)
        return m
    if obj is str:
        return _FmtUnbound(m)
    return m
_SAFE['__xm_fmt'] = _fmt_attr
def _fmt_call(A, x):
    # x (an attribute load of format or format_map) as _fmt_attr(value, name)
    loc = {k: getattr(x, k) for k in ('lineno', 'col_offset', 'end_lineno', 'end_col_offset')}
    fn = A.Name(id='__xm_fmt', ctx=A.Load(), **loc)
    return A.Call(func=fn, args=[x.value, A.Constant(value=x.attr, **loc)], keywords=[], **loc)
def _check(tree):
    # The precise check: every forbidden construct, the first one in the
    # source (by line, then by where it ends: the innermost attribute of a
    # chain) raised as _Forbidden with its line. Rewrites every load of a
    # format method into _fmt_attr (the rewritten call is not checked: its
    # name is the evaluator's); True when it did.
    import _ast as _A  # here: building its classes costs ~2 ms per child
    found = []
    rewrote = False
    def fmt(x):
        return isinstance(x, _A.Attribute) and x.attr in _FMT_NAMES and isinstance(x.ctx, _A.Load)
    stack = [(tree, 0)]
    while stack:
        n, ln = stack.pop()
        ln = getattr(n, 'lineno', ln) or ln
        msg = None
        if isinstance(n, (_A.Import, _A.ImportFrom)):
            msg = 'import is not allowed in a domain config'
        elif isinstance(n, _A.ClassDef):
            msg = 'class definitions are not allowed in a domain config'
        elif isinstance(n, _A.Match):
            msg = 'match statements are not allowed in a domain config'
        elif isinstance(n, _A.Name):
            bad = n.id in _BAD_NAMES and isinstance(n.ctx, _A.Load)
            if bad or n.id.startswith('__'):
                msg = "'%s' is not allowed in a domain config" % n.id
        elif isinstance(n, _A.Attribute):
            if n.attr.startswith(_BAD_PREFIX):
                msg = ("access to attribute '%s' is not allowed in a domain "
                       "config" % n.attr)
        elif isinstance(n, (_A.FunctionDef, _A.AsyncFunctionDef)):
            if n.name.startswith('__'):
                msg = "'%s' is not allowed in a domain config" % n.name
        if msg:
            found.append((ln, getattr(n, 'end_col_offset', 0) or 0, msg))
        for f in n._fields:
            v = getattr(n, f, None)
            if isinstance(v, list):
                for i, x in enumerate(v):
                    if isinstance(x, _A.AST):
                        stack.append((x, ln))
                        if fmt(x):
                            v[i] = _fmt_call(_A, x)
                            rewrote = True
            elif isinstance(v, _A.AST):
                stack.append((v, ln))
                if fmt(v):
                    setattr(n, f, _fmt_call(_A, v))
                    rewrote = True
    if found:
        ln, col, msg = min(found)
        e = _Forbidden(msg)
        e.line = ln
        raise e
    return rewrote
def _scan(code, top, stores, used):
    # Fast screen of the compiled code: True when the precise AST check
    # must run (anything that might be an import, a class, a match, a
    # forbidden or dunder name or attribute). Also collects the module-level
    # stores (name, offset) and the names the config reads.
    slow = False
    for n in code.co_names:
        if n.startswith(_BAD_PREFIX) or n in _BAD_NAMES or n in _FMT_NAMES:
            slow = True
    for n in code.co_varnames + code.co_cellvars + code.co_freevars:
        if n.startswith('__'):
            slow = True
    b = code.co_code
    names = code.co_names
    ext = 0
    for i in range(0, len(b), 2):
        op = b[i]
        arg = b[i + 1] | ext
        if op == _EXT_ARG:
            ext = arg << 8
            continue
        ext = 0
        if op in _SLOW_OPS:
            slow = True
        elif op == _STORE_NAME:
            if top:
                stores.append((names[arg], i))
        elif op in _LOADS:
            used.add(names[arg >> _LOADS[op]])
    for c in code.co_consts:
        if isinstance(c, _CO):
            slow = _scan(c, False, stores, used) or slow
    return slow
def _store_lines(code, stores):
    out = {}
    rng = list(code.co_lines())
    for name, off in stores:
        for s, e, ln in rng:
            if s <= off < e:
                if ln:
                    out[name] = ln
                break
    return out
class _Vars:
    def __init__(self, g):
        self._g = g
        self._decl = {}
    def var(self, name, use=None, check=None):
        '''xm_vars.var(name, use, check): declare a config variable.'''
        self._decl[str(name)] = check
    def check(self):
        '''Run each declared variable's check(name, value).'''
        for name, fn in list(self._decl.items()):
            val = self._g.get(name)
            if fn is not None:
                val = fn(name, val)
            self._g[name] = val
_SKIP_TYPES = ('function', 'builtin_function_or_method', 'type', 'module', 'method')
def _where(e, fn):
    ln = 0
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == fn:
            ln = tb.tb_lineno
        tb = tb.tb_next
    return ln
def _text(e):
    try:
        s = str(e)
    except BaseException:
        s = ''
    if len(s) > 300:
        s = s[:300] + '...'
    n = type(e).__name__
    return n + ': ' + s if s else n
def _run(src, fn, ovr, cpu, mem):
    try:
        code = compile(src, fn, 'exec', dont_inherit=True)
    except SyntaxError as e:
        return ('E', 3, e.lineno or 0, 'syntax error: ' + str(e.msg))
    except ValueError as e:
        return ('E', 3, 0, 'syntax error: ' + str(e))
    except MemoryError:
        return ('E', 6, 0, 'memory limit (%d MiB) exceeded' % mem)
    except RecursionError:
        return ('E', 3, 0, 'syntax error: too deeply nested')
    stores = []
    used = set()
    slow = _scan(code, True, stores, used)
    lines = _store_lines(code, stores)
    if slow:
        try:
            tree = compile(src, fn, 'exec', 0x400, dont_inherit=True)
            if _check(tree):
                code = compile(tree, fn, 'exec', dont_inherit=True)
        except _Forbidden as e:
            return ('E', 5, e.line, str(e))
        except (MemoryError, RecursionError):
            return ('E', 3, 0, 'syntax error: too deeply nested')
    g = {'__builtins__': _SAFE}
    for o in ovr:
        k, v = o.split('=', 1)
        g[k.strip()] = v.strip()
    xv = _Vars(g)
    g['xm_vars'] = xv
    try:
        return _finish(code, g, xv, lines, used, fn, cpu, mem)
    finally:
        # xm_vars and functions refer back to g: break the cycles now so a
        # batch frees each namespace at once, without the cycle collector
        g.clear()
def _finish(code, g, xv, lines, used, fn, cpu, mem):
    try:
        exec(code, g)
    except KeyboardInterrupt as e:
        return ('E', 6, _where(e, fn), 'CPU time limit (%d s) exceeded' % cpu)
    except MemoryError as e:
        return ('E', 6, _where(e, fn), 'memory limit (%d MiB) exceeded' % mem)
    except PermissionError as e:
        return ('E', 5, _where(e, fn), 'operation not permitted in a domain config')
    except NameError as e:
        if getattr(e, 'name', None) in _b.__dict__:
            return ('E', 5, _where(e, fn), "'%s' is not allowed in a domain config" % e.name)
        return ('E', 4, _where(e, fn), _text(e))
    except _FieldForbidden as e:
        return ('E', 5, _where(e, fn), "access to attribute '%s' is not allowed in a domain config (in a format string)" % e.args[0])
    except BaseException as e:
        return ('E', 4, _where(e, fn), _text(e))
    res = []
    for k, v in g.items():
        if k.startswith('_') or k == 'xm_vars':
            continue
        if type(v).__name__ in _SKIP_TYPES:
            continue
        res.append((k, lines.get(k, 0), k in xv._decl or k in used, v))
    return ('O', res)
