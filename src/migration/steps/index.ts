// The migration, as data: the order here is the order of the runbook.
import type { Step } from '../types.js';
import { deployStep } from './deploy.js';
import { initStep } from './init.js';
import { unsealStep } from './unseal.js';

export const MIGRATION_STEPS: Step[] = [deployStep, initStep, unsealStep];
