// The participant survey page's message catalogue: every text the page shows, in each language
// it offers. English takes the satisfaction labels from the study vocabulary; another language
// is added by adding its catalogue here and its code to api/schemas/survey-languages.ts.
import { SATISFACTION_LABELS } from '../../analysis/charts/labels.ts';
import type { SurveyLanguage } from '../../api/schemas/survey-languages.ts';

export interface SurveyMessages {
  /** The language's own name, for the language choice. */
  languageName: string;
  chooseLanguage: string;
  loading: string;
  intro: string;
  satisfactionQuestion: string;
  /** Labels of satisfaction 1 to 5. */
  satisfactionLabels: readonly [string, string, string, string, string];
  recommendQuestion: string;
  yes: string;
  no: string;
  submit: string;
  sending: string;
  answerRequired: string;
  thanksTitle: string;
  thanks: string;
  refusedTitle: string;
  refused: Record<'used' | 'expired' | 'revoked' | 'withdrawn' | 'unknown' | 'incomplete' | 'failed', string>;
}

export const MESSAGES: Record<SurveyLanguage, SurveyMessages> = {
  en: {
    languageName: 'English',
    chooseLanguage: 'Language',
    loading: 'Loading the survey…',
    intro: 'Two short questions about your treatment. Your answers go to the study team only.',
    satisfactionQuestion: 'How satisfied are you with your treatment?',
    satisfactionLabels: SATISFACTION_LABELS,
    recommendQuestion: 'Would you recommend this treatment to a friend?',
    yes: 'Yes',
    no: 'No',
    submit: 'Send my answers',
    sending: 'Sending…',
    answerRequired: 'Please answer this question.',
    thanksTitle: 'Thank you',
    thanks: 'Your answers were received. You can close this page.',
    refusedTitle: 'This survey link no longer works',
    refused: {
      used: 'The answers for this link were already received. Thank you.',
      expired: 'This link has expired. Ask your clinic for a new one if you would like to answer.',
      revoked: 'This link was withdrawn by your clinic.',
      withdrawn: 'This link no longer works.',
      unknown: 'This link is not known. Check that you opened the whole address.',
      incomplete: 'This address is incomplete. Open the whole link you were given.',
      failed: 'The survey could not be reached. Please try again later.',
    },
  },
  es: {
    languageName: 'Español',
    chooseLanguage: 'Idioma',
    loading: 'Cargando la encuesta…',
    intro: 'Dos preguntas breves sobre su tratamiento. Sus respuestas solo llegan al equipo del estudio.',
    satisfactionQuestion: '¿Qué tan satisfecho está con su tratamiento?',
    satisfactionLabels: ['Muy insatisfecho', 'Insatisfecho', 'Neutral', 'Satisfecho', 'Muy satisfecho'],
    recommendQuestion: '¿Recomendaría este tratamiento a un amigo?',
    yes: 'Sí',
    no: 'No',
    submit: 'Enviar mis respuestas',
    sending: 'Enviando…',
    answerRequired: 'Por favor, responda esta pregunta.',
    thanksTitle: 'Gracias',
    thanks: 'Hemos recibido sus respuestas. Puede cerrar esta página.',
    refusedTitle: 'Este enlace de encuesta ya no funciona',
    refused: {
      used: 'Ya recibimos las respuestas de este enlace. Gracias.',
      expired: 'Este enlace ha caducado. Pida uno nuevo a su clínica si desea responder.',
      revoked: 'Su clínica retiró este enlace.',
      withdrawn: 'Este enlace ya no funciona.',
      unknown: 'Este enlace no existe. Compruebe que abrió la dirección completa.',
      incomplete: 'Esta dirección está incompleta. Abra el enlace completo que recibió.',
      failed: 'No se pudo cargar la encuesta. Inténtelo de nuevo más tarde.',
    },
  },
};
