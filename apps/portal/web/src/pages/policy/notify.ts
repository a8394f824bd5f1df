import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorReference, errorText } from '../../errors';

/** What every change on the console says when it is done or refused (in words, with the help desk's reference). */
export function useNotifier() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return {
    done: (text: string) => void message.success(text),
    failed: (error: unknown) => {
      const reference = errorReference(error);
      void message.error(`${errorText(t, error)}${reference ? ` (${t('errors.reference', { id: reference })})` : ''}`, 8);
    },
  };
}
