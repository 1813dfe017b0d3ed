import fs from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this module with a package.json (works from sources and from dist/). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
