import assert from 'node:assert/strict';
import * as path from 'node:path';
import { isWithin } from '../../../src/common/paths';

describe('isWithin (a folder and what lies inside it)', () => {
  const root = path.resolve('/work/project');
  it('counts the folder itself and anything below it', () => {
    assert.equal(isWithin(root, root), true);
    assert.equal(isWithin(path.join(root, 'pkg', '.session-buddy'), root), true);
    assert.equal(isWithin(path.join(root, '..hidden', 'file.json'), root), true, 'a name starting with two dots is still inside');
  });
  it('does not count a sibling with the same prefix, the parent or another tree', () => {
    assert.equal(isWithin(`${root}-other`, root), false);
    assert.equal(isWithin(path.dirname(root), root), false);
    assert.equal(isWithin(path.resolve('/elsewhere/project'), root), false);
    assert.equal(isWithin(path.join(root, '..', 'sibling'), root), false);
  });
});
