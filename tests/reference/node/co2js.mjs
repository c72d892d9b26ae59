// Evaluates CO2.js (@tgwf/co2) for a batch of cases, through its public trace API.
// stdin: [{"model": "swd" | "1byte", "version": 3 | 4, "method": "perByte" | "perVisit", "bytes": n,
//          "green": bool, "options": {...}}, ...]
// stdout: [{"co2": grams, "rating": "A+" ... "F" | null}, ...]
import { readFileSync } from 'node:fs'
import { co2 } from '@tgwf/co2'

console.warn = () => {} // CO2.js warns whenever an option is left at its default

const requests = JSON.parse(readFileSync(0, 'utf8'))
const answers = requests.map(({ model, version, method, bytes, green = false, options = {} }) => {
  if (model === '1byte') {
    return { co2: new co2({ model }).perByte(bytes, green), rating: null }
  }
  const estimator = new co2({ model, version, rating: true })
  const { co2: result } = estimator[`${method}Trace`](bytes, green, options)
  return typeof result === 'number' ? { co2: result, rating: null } : { co2: result.total, rating: result.rating }
})
process.stdout.write(JSON.stringify(answers))
