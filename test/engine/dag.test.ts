// The step graph: ancestors, cycles, and a stable topological order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ancestorsOf, findCycle, findCycles, topoOrder } from '../../engine/dag.js';
import { CloudyaError } from '../../engine/errors.js';

const s = (id: string, ...needs: string[]) => ({ id, needs });

test('ancestorsOf: direct and transitive needs, never the step itself', () => {
  const a = ancestorsOf([s('a'), s('b', 'a'), s('c', 'b'), s('d', 'a', 'c'), s('e')]);
  assert.equal([...a.get('a')!], []);
  assert.equal([...a.get('c')!].sort(), ['a', 'b']);
  assert.equal([...a.get('d')!].sort(), ['a', 'b', 'c']);
  assert.equal([...a.get('e')!], []);
});

test('ancestorsOf ignores unknown needs and survives cycles', () => {
  const a = ancestorsOf([s('a', 'ghost'), s('b', 'c'), s('c', 'b')]);
  assert.equal([...a.get('a')!], []);
  assert.ok(a.get('b')!.has('c'));
});

test('findCycle: none in a DAG; the path of a cycle, ending where it starts', () => {
  assert.is(findCycle([s('a'), s('b', 'a'), s('c', 'a', 'b')]), undefined);
  assert.equal(findCycle([s('a', 'c'), s('b', 'a'), s('c', 'b')]), ['a', 'c', 'b', 'a']);
  assert.equal(findCycles([s('a', 'b'), s('b', 'a'), s('c', 'd'), s('d', 'c'), s('e', 'e')]), [['a', 'b', 'a'], ['c', 'd', 'c']]);
});

test('topoOrder: needs first, document order among ready steps', () => {
  assert.equal(topoOrder([s('deploy', 'build'), s('build'), s('lint'), s('test', 'build')]), ['build', 'deploy', 'lint', 'test']);
  assert.equal(topoOrder([s('c'), s('b'), s('a')]), ['c', 'b', 'a']);
  assert.equal(topoOrder([s('x', 'z'), s('y'), s('z', 'y')]), ['y', 'z', 'x']);
});

test('topoOrder throws E_CYCLE naming the cycle', () => {
  try {
    topoOrder([s('a', 'b'), s('b', 'a')]);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CloudyaError);
    assert.is((err as CloudyaError).code, 'E_CYCLE');
    assert.match((err as CloudyaError).message, 'a → b → a');
  }
});

test('a 1000-step chain orders quickly', () => {
  const steps = Array.from({ length: 1000 }, (_, i) => s(`s${i}`, ...(i ? [`s${i - 1}`] : [])));
  const order = topoOrder([...steps].reverse());
  assert.is(order[0], 's0');
  assert.is(order[999], 's999');
  assert.is(ancestorsOf(steps).get('s999')!.size, 999);
});

test.run();
