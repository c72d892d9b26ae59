// Evaluates ADEME's Impact CO2 model (publicodes-acv-numerique) for a batch of situations.
// stdin: [{"situation": {...}, "rules": ["streaming", ...]}, ...]; stdout: [{"rule": value in its unit, ...}, ...]
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import Engine from 'publicodes'

const require = createRequire(import.meta.url)
const model = require('@incubateur-ademe/publicodes-acv-numerique/publicodes-acv-numerique.model.json')
const engine = new Engine(model, { logger: { log() {}, warn() {}, error: console.error } })

const requests = JSON.parse(readFileSync(0, 'utf8'))
const answers = requests.map(({ situation = {}, rules = [] }) => {
  engine.setSituation(situation)
  return Object.fromEntries(rules.map((rule) => [rule, engine.evaluate(rule).nodeValue ?? null]))
})
process.stdout.write(JSON.stringify(answers))
