import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor wait up to 5 s: several Jest workers share two cores during a full run.
configure({ asyncUtilTimeout: 5000 });
